/**
 * Creating a form (/admin/rounds/forms/new) or revising one (/admin/rounds/forms/:code, a new
 * version): code, names, period type, and the indicators — picked by a diacritic-insensitive search
 * among the indicators of that period type, ordered with up/down buttons, each required or not. A
 * form's validation rules are listed below it.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { enumLabel } from '../../lib/catalogue.ts';
import type { Indicator, ListOf } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  ActionError,
  fieldErrors,
  matches,
  RequireAdmin,
  TextField,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import type { FormFull, FormTaskItem, ValidationRule } from './types.ts';

const PERIOD_TYPES = ['year', 'half', 'quarter', 'month'] as const;

interface Item {
  indicator: string;
  name_vi: string;
  name_en: string | null;
  unit: string;
  required: boolean;
}

type TaskPick = Pick<FormTaskItem, 'plan' | 'number' | 'title_vi' | 'title_en' | 'required'>;

/** The form's task items: tasks without sub-tasks, found by the server's diacritic-insensitive search. */
function TaskPicker({
  tasks,
  setTasks,
  errors,
}: {
  tasks: TaskPick[];
  setTasks: (f: (xs: TaskPick[]) => TaskPick[]) => void;
  errors: string[];
}) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const found = useApi<{ items: Array<TaskPick & { id: number }> }>(q.trim() ? '/api/tasks' : null, {
    q: q.trim(),
    leaf_only: true,
    limit: 30,
  });
  const key = (x: { plan: string; number: string }) => `${x.plan} ${x.number}`;
  const candidates = (found.data?.items ?? []).filter((x) => !tasks.some((y) => key(y) === key(x)));
  return (
    <fieldset className="picker">
      <legend>{t('adminWf.forms.tasks', { count: tasks.length })}</legend>
      <p className="muted small">{t('adminWf.forms.tasksHelp')}</p>
      {tasks.length === 0 ? (
        <p className="muted">{t('adminWf.forms.noTasks')}</p>
      ) : (
        <ol className="item-list">
          {tasks.map((x, k) => (
            <li key={key(x)} className="item-row">
              <span className="indicator-name">
                <span className="code">
                  {x.plan} · {x.number}
                </span>
                {pick(lang, x.title_vi, x.title_en)}
              </span>
              <span className="item-tools">
                <label className="inline-check">
                  <input
                    type="checkbox"
                    checked={x.required}
                    onChange={(e) =>
                      setTasks((xs) => xs.map((y, j) => (j === k ? { ...y, required: e.target.checked } : y)))
                    }
                  />
                  {t('form.required')}
                </label>
                <button
                  type="button"
                  className="btn btn-danger btn-small"
                  aria-label={t('adminWf.forms.removeTask', { plan: x.plan, number: x.number })}
                  onClick={() => setTasks((xs) => xs.filter((_, j) => j !== k))}
                >
                  ✕
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {errors.length > 0 && (
        <ul className="field-error">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <SearchBox value={q} onChange={setQ} label={t('adminWf.forms.findTask')} />
      {found.error && <ErrorBox error={found.error} />}
      {q.trim() && found.data && (
        <ul className="candidate-list" aria-label={t('adminWf.forms.taskCandidates')}>
          {candidates.slice(0, 15).map((x) => (
            <li key={key(x)}>
              <span className="indicator-name">
                <span className="code">
                  {x.plan} · {x.number}
                </span>
                {pick(lang, x.title_vi, x.title_en)}
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                aria-label={t('adminWf.forms.addTaskNamed', { plan: x.plan, number: x.number })}
                onClick={() =>
                  setTasks((xs) => [
                    ...xs,
                    {
                      plan: x.plan,
                      number: x.number,
                      title_vi: x.title_vi,
                      title_en: x.title_en,
                      required: false,
                    },
                  ])
                }
              >
                {t('adminWf.forms.add')}
              </button>
            </li>
          ))}
          {candidates.length === 0 && <li className="muted">{t('adminWf.forms.noTaskCandidates')}</li>}
        </ul>
      )}
    </fieldset>
  );
}

function Editor({ existing }: { existing: FormFull | null }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/rounds', label: t('adminWf.rounds.title') }];
  const [code, setCode] = useState(existing?.code ?? '');
  const [nameVi, setNameVi] = useState(existing?.name_vi ?? '');
  const [nameEn, setNameEn] = useState(existing?.name_en ?? '');
  const [periodType, setPeriodType] = useState(existing?.period_type ?? 'year');
  const [items, setItems] = useState<Item[]>(
    existing?.items.map((i) => ({
      indicator: i.indicator,
      name_vi: i.indicator_name_vi,
      name_en: i.indicator_name_en,
      unit: i.unit,
      required: i.required,
    })) ?? [],
  );
  const [tasks, setTasks] = useState<TaskPick[]>(
    existing?.tasks?.map((x) => ({
      plan: x.plan,
      number: x.number,
      title_vi: x.title_vi,
      title_en: x.title_en,
      required: x.required,
    })) ?? [],
  );
  const [q, setQ] = useState('');
  const [saved, setSaved] = useState(false);
  const [version, setVersion] = useState(existing?.version ?? 0);
  const action = useAction();
  const listId = useId();
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const candidates = (indicators.data?.items ?? []).filter(
    (i) =>
      i.period_type === periodType &&
      !i.formula &&
      !items.some((x) => x.indicator === i.code) &&
      q.trim().length > 0 &&
      matches(q, i.code, i.name_vi, i.name_en),
  );
  const errs = (f: string) => fieldErrors(action.error, lang, f);

  const move = (k: number, d: -1 | 1) =>
    setItems((xs) => {
      const ys = [...xs];
      const [x] = ys.splice(k, 1);
      ys.splice(k + d, 0, x!);
      return ys;
    });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const body = {
      name_vi: nameVi.trim(),
      name_en: nameEn.trim(),
      items: items.map((i) => ({ indicator: i.indicator, required: i.required })),
      tasks: tasks.map((x) => ({ plan: x.plan, number: x.number, required: x.required })),
    };
    const out = await action.run(() =>
      existing
        ? api.put<FormFull>(`/api/forms/${encodeURIComponent(existing.code)}`, { ...body, version })
        : api.post<FormFull>('/api/forms', { ...body, code: code.trim(), period_type: periodType }),
    );
    if (!out) return;
    invalidate('/api/forms');
    setVersion(out.version);
    setSaved(true);
    if (!existing) navigate(`/admin/rounds/forms/${encodeURIComponent(out.code)}`, { replace: true });
  };

  return (
    <>
      <PageHeader
        title={existing ? pick(lang, existing.name_vi, existing.name_en) : t('adminWf.forms.create')}
        kicker={existing ? t('adminWf.forms.versionOf', { code: existing.code, version }) : undefined}
        crumbs={crumbs}
        lead={<p>{existing ? t('adminWf.forms.reviseLead') : t('adminWf.forms.createLead')}</p>}
      />
      {saved && (
        <div className="notice notice-success" role="status">
          <p>{t('adminWf.forms.saved')}</p>
        </div>
      )}
      <ActionError error={action.error} fields={['code', 'name_vi', 'name_en', 'items', 'tasks']} />
      <form className="form admin-form" onSubmit={onSubmit} noValidate>
        <div className="form-row">
          <TextField
            label={t('adminWf.forms.code')}
            value={code}
            onChange={setCode}
            required
            mono
            readOnly={existing !== null}
            errors={errs('code')}
            help={existing ? t('adminWf.forms.codeFixed') : t('adminWf.forms.codeHelp')}
          />
          {existing ? (
            <p className="field">
              <span className="stat-label">{t('adminWf.forms.col.periodType')}</span>
              <strong>{enumLabel(t, 'periodType', periodType)}</strong>
            </p>
          ) : (
            <SelectField
              label={t('adminWf.forms.col.periodType')}
              value={periodType}
              onChange={(v) => {
                setPeriodType(v);
                setItems([]);
              }}
              options={PERIOD_TYPES.map((p) => ({ value: p, label: enumLabel(t, 'periodType', p) }))}
            />
          )}
        </div>
        <TextField
          label={t('adminWf.forms.nameVi')}
          value={nameVi}
          onChange={setNameVi}
          required
          errors={errs('name_vi')}
        />
        <TextField
          label={t('adminWf.forms.nameEn')}
          value={nameEn}
          onChange={setNameEn}
          required
          errors={errs('name_en')}
        />

        <fieldset className="picker">
          <legend>{t('adminWf.forms.items', { count: items.length })}</legend>
          {items.length === 0 ? (
            <p className="muted">{t('adminWf.forms.noItems')}</p>
          ) : (
            <ol className="item-list">
              {items.map((i, k) => (
                <li key={i.indicator} className="item-row">
                  <span className="indicator-name">
                    <span className="code">{i.indicator}</span>
                    {pick(lang, i.name_vi, i.name_en)}
                  </span>
                  <span className="item-tools">
                    <label className="inline-check">
                      <input
                        type="checkbox"
                        checked={i.required}
                        onChange={(e) =>
                          setItems((xs) =>
                            xs.map((x, j) => (j === k ? { ...x, required: e.target.checked } : x)),
                          )
                        }
                      />
                      {t('form.required')}
                    </label>
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      disabled={k === 0}
                      aria-label={t('adminWf.forms.up', { code: i.indicator })}
                      onClick={() => move(k, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      disabled={k === items.length - 1}
                      aria-label={t('adminWf.forms.down', { code: i.indicator })}
                      onClick={() => move(k, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="btn btn-danger btn-small"
                      aria-label={t('adminWf.forms.remove', { code: i.indicator })}
                      onClick={() => setItems((xs) => xs.filter((_, j) => j !== k))}
                    >
                      ✕
                    </button>
                  </span>
                </li>
              ))}
            </ol>
          )}
          {errs('items').length > 0 && (
            <ul className="field-error">
              {errs('items').map((x) => (
                <li key={x}>{x}</li>
              ))}
            </ul>
          )}
          <SearchBox value={q} onChange={setQ} label={t('adminWf.forms.findIndicator')} />
          {indicators.error && <ErrorBox error={indicators.error} />}
          {q.trim() && (
            <ul className="candidate-list" id={listId} aria-label={t('adminWf.forms.candidates')}>
              {candidates.slice(0, 15).map((i) => (
                <li key={i.code}>
                  <span className="indicator-name">
                    <span className="code">{i.code}</span>
                    {pick(lang, i.name_vi, i.name_en)}
                  </span>
                  <button
                    type="button"
                    className="btn btn-secondary btn-small"
                    aria-label={t('adminWf.forms.addNamed', { code: i.code })}
                    onClick={() =>
                      setItems((xs) => [
                        ...xs,
                        {
                          indicator: i.code,
                          name_vi: i.name_vi,
                          name_en: i.name_en,
                          unit: i.unit,
                          required: false,
                        },
                      ])
                    }
                  >
                    {t('adminWf.forms.add')}
                  </button>
                </li>
              ))}
              {candidates.length === 0 && <li className="muted">{t('adminWf.forms.noCandidates')}</li>}
            </ul>
          )}
        </fieldset>
        <TaskPicker tasks={tasks} setTasks={setTasks} errors={errs('tasks')} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            {existing ? t('adminWf.forms.saveVersion') : t('adminWf.forms.create')}
          </button>
          <Link to="/admin/rounds">{t('adminWf.back')}</Link>
        </div>
      </form>
      {existing && <FormRules form={existing.code} />}
    </>
  );
}

function FormRules({ form }: { form: string }) {
  const { t, lang } = useI18n();
  const rules = useApi<{ items: ValidationRule[] }>('/api/validation-rules', { form }, { fresh: true });
  return (
    <Section
      id="form-rules"
      title={t('adminWf.rules.ofForm')}
      actions={
        <Link className="btn btn-secondary" to={`/admin/rounds/rules?form=${encodeURIComponent(form)}`}>
          {t('adminWf.rules.define')}
        </Link>
      }
    >
      {rules.error && <ErrorBox error={rules.error} />}
      {rules.data &&
        (rules.data.items.length === 0 ? (
          <p className="muted">{t('adminWf.rules.none')}</p>
        ) : (
          <ul className="rule-list">
            {rules.data.items.map((r) => (
              <li key={r.code}>
                <span className="code">{r.code}</span> {pick(lang, r.name_vi, r.name_en)}{' '}
                <code>
                  {r.left} {r.operator} {r.right}
                </code>
              </li>
            ))}
          </ul>
        ))}
    </Section>
  );
}

function Existing({ code }: { code: string }) {
  const form = useApi<FormFull>(`/api/forms/${encodeURIComponent(code)}`, undefined, { fresh: true });
  if (form.error) return <ErrorBox error={form.error} />;
  if (!form.data) return <Loading />;
  return <Editor key={code} existing={form.data} />;
}

export function Component() {
  const { code } = useParams();
  return <RequireAdmin>{code ? <Existing code={code} /> : <Editor existing={null} />}</RequireAdmin>;
}
