/**
 * The data-entry form of one submission: a labelled field per indicator with the previous period's
 * value beside it, errors and warnings from the API inline (and summarised at the top, linked to
 * their fields), a comment for each warning, evidence upload, save draft and submit. Keyboard-only
 * use works: Enter in a field saves the draft; errors move focus to their summary.
 */
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { formatDate, formatPeriod, formatValue } from '../../lib/format.ts';
import { parseNumber, toInput } from '../../lib/parse.ts';
import {
  type Attachment,
  editable,
  type Finding,
  type Submission,
  type SubmissionItem,
  type ValidationReport,
} from '../../lib/rounds.ts';
import { useSession } from '../../lib/session.tsx';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { SubmissionActions } from '../admin-workflow/SubmissionActions.tsx';
import { RequireAuth } from '../auth/RequireAuth.tsx';
import { StatusPill } from './StatusPill.tsx';
import {
  changedTasks,
  type TaskDraft,
  type TaskItem,
  TaskProgressFields,
  taskDraftsFrom,
  taskErrorsFrom,
  taskFieldId,
  taskPayload,
} from './TaskProgressFields.tsx';

interface Loaded {
  submission: Submission;
  items: SubmissionItem[];
  /** Task items: the tasks the unit leads or coordinates (TaskProgressFields). */
  tasks: TaskItem[];
}

interface Message {
  kind: 'error' | 'success';
  text: string;
}

const fieldId = (code: string) => `v-${code.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function Form({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [data, setData] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [raw, setRaw] = useState<Record<string, string>>({});
  const [comments, setComments] = useState<Record<string, string>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [taskDrafts, setTaskDrafts] = useState<Record<number, TaskDraft>>({});
  const [taskErrors, setTaskErrors] = useState<Record<number, string[]>>({});
  const [report, setReport] = useState<ValidationReport | null>(null);
  const [warningComments, setWarningComments] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const form = useApi<{ name_vi: string; name_en: string }>(
    data ? `/api/forms/${encodeURIComponent(data.submission.form)}` : null,
  );
  const attachments = useApi<{ items: Attachment[] }>(`/api/submissions/${id}/attachments`, undefined, {
    fresh: true,
  });

  const load = useCallback(async () => {
    try {
      const d = await api.get<Loaded>(`/api/submissions/${id}/values`);
      setData(d);
      setRaw(Object.fromEntries(d.items.map((i) => [i.indicator, toInput(lang, i.value)])));
      setComments(Object.fromEntries(d.items.map((i) => [i.indicator, i.comment ?? ''])));
      setTaskDrafts(taskDraftsFrom(d.tasks ?? []));
      setWarningComments(d.submission.warning_comments ?? {});
      return d;
    } catch (e) {
      setLoadError(e as ApiError);
      return null;
    }
  }, [id, lang]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per submission, not per language
  useEffect(() => {
    void load();
  }, [id]);

  const canEdit = Boolean(data && editable(data.submission) && can('reporter'));

  const dirty = useMemo(() => {
    if (!data) return [] as SubmissionItem[];
    return data.items.filter((i) => {
      const p = parseNumber(lang, raw[i.indicator] ?? '');
      const changedValue = !p.ok || p.value !== i.value;
      return changedValue || (comments[i.indicator] ?? '') !== (i.comment ?? '');
    });
  }, [data, raw, comments, lang]);

  const dirtyTasks = useMemo(
    () => (data ? changedTasks(data.tasks ?? [], taskDrafts) : []),
    [data, taskDrafts],
  );

  const showSummary = () => setTimeout(() => summaryRef.current?.focus(), 0);

  /** Saves the changed values; returns false when something was refused (errors are then shown). */
  const save = async (): Promise<boolean> => {
    if (!data) return false;
    const local: Record<string, string[]> = {};
    const values: Array<{
      indicator: string;
      value: number | null;
      comment: string | null;
      version: number;
    }> = [];
    for (const i of dirty) {
      const p = parseNumber(lang, raw[i.indicator] ?? '');
      if (!p.ok) {
        local[i.indicator] = [t('form.notANumber')];
        continue;
      }
      values.push({
        indicator: i.indicator,
        value: p.value,
        comment: comments[i.indicator]?.trim() || null,
        version: i.version,
      });
    }
    const tasks = taskPayload(data.tasks ?? [], taskDrafts, t('form.notANumber'));
    const localCount = Object.keys(local).length + Object.keys(tasks.local).length;
    if (localCount) {
      setFieldErrors(local);
      setTaskErrors(tasks.local);
      setMessage({ kind: 'error', text: t('form.fixErrors', { count: localCount }) });
      showSummary();
      return false;
    }
    if (values.length === 0 && tasks.payload.length === 0) return true;
    try {
      await api.put(`/api/submissions/${id}/values`, { values, tasks: tasks.payload });
      setFieldErrors({});
      setTaskErrors({});
      await load();
      return true;
    } catch (e) {
      const err = e as ApiError;
      const byField: Record<string, string[]> = {};
      for (const item of err.items ?? []) {
        const m = /^values\.(\d+)/.exec(item.field ?? '');
        const code = m ? values[Number(m[1])]?.indicator : undefined;
        const text = lang === 'en' ? item.en : item.vi;
        if (code) byField[code] = [...(byField[code] ?? []), text];
      }
      setFieldErrors(byField);
      const byTask = taskErrorsFrom(err.items ?? [], tasks.payload, lang);
      setTaskErrors(byTask);
      const n = Object.values(byField).flat().length + Object.values(byTask).flat().length;
      setMessage({ kind: 'error', text: n ? t('form.fixErrors', { count: n }) : err.text(lang) });
      showSummary();
      if (err.status === 409) await load();
      return false;
    }
  };

  const onSave = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy('save');
    setMessage(null);
    const ok = await save();
    if (ok) {
      setMessage({ kind: 'success', text: t('form.saved') });
      setReport(null);
    }
    setBusy(null);
  };

  const onSubmit = async () => {
    setBusy('submit');
    setMessage(null);
    try {
      if (!(await save())) return;
      const r = await api.get<ValidationReport>(`/api/submissions/${id}/validation`);
      setReport(r);
      const missing = r.warnings.filter((w) => (warningComments[w.key]?.trim().length ?? 0) < 3);
      if (r.errors.length || missing.length) {
        setMessage({
          kind: 'error',
          text: r.errors.length
            ? t('form.hasErrors', { count: r.errors.length })
            : t('form.explainWarnings', { count: missing.length }),
        });
        showSummary();
        return;
      }
      const current = await api.get<Submission>(`/api/submissions/${id}`);
      await api.post(`/api/submissions/${id}/submit`, {
        version: current.version,
        comments: Object.fromEntries(r.warnings.map((w) => [w.key, warningComments[w.key]!.trim()])),
      });
      invalidate('/api/inbox', '/api/values', '/api/submissions');
      await load();
      setReport(null);
      setMessage({ kind: 'success', text: t('form.submitted') });
      showSummary();
    } catch (e) {
      const err = e as ApiError;
      const rep = (err.problem.details as { report?: ValidationReport } | undefined)?.report;
      if (rep) setReport(rep);
      setMessage({ kind: 'error', text: err.text(lang) });
      showSummary();
    } finally {
      setBusy(null);
    }
  };

  if (loadError) return <ErrorBox error={loadError} />;
  if (!data) return <Loading />;
  const s = data.submission;
  const findings = (code: string, sev: 'errors' | 'warnings') =>
    (report?.[sev] ?? []).filter((f) => f.indicator === code);
  const general = [...(report?.errors ?? []), ...(report?.warnings ?? [])].filter((f) => !f.indicator);
  const errorCount =
    Object.values(fieldErrors).flat().length +
    Object.values(taskErrors).flat().length +
    (report?.errors.length ?? 0);
  const summaryItems: Array<{ href: string; text: string }> = [
    ...Object.entries(fieldErrors).flatMap(([code, texts]) =>
      texts.map((text) => ({
        href: `#${fieldId(code)}`,
        text: text.startsWith(code) ? text : `${code}: ${text}`,
      })),
    ),
    ...Object.entries(taskErrors).flatMap(([task, texts]) =>
      texts.map((text) => ({
        href: `#${taskFieldId(Number(task))}`,
        text: (() => {
          const x = data.tasks.find((y) => y.task_id === Number(task));
          return x ? `${t('taskPage.kicker', { number: x.number, plan: x.plan })}: ${text}` : text;
        })(),
      })),
    ),
    ...(report?.errors ?? []).map((f) => ({
      href: f.indicator
        ? `#${fieldId(f.indicator)}`
        : f.key.startsWith('task_required:')
          ? `#${taskFieldId(Number(f.key.slice('task_required:'.length)))}`
          : '#form-general',
      text: pick(lang, f.vi, f.en),
    })),
    ...(report?.warnings ?? [])
      .filter((w) => (warningComments[w.key]?.trim().length ?? 0) < 3)
      .map((w) => ({ href: `#wc-${w.key}`, text: `${t('form.warning')}: ${pick(lang, w.vi, w.en)}` })),
  ];
  const filesOf = (code: string | null) =>
    (attachments.data?.items ?? []).filter((a) => a.indicator === code);

  return (
    <>
      <PageHeader
        kicker={`${s.org_unit_name_vi} · ${formatPeriod(lang, s.period)}`}
        title={
          form.data ? pick(lang, form.data.name_vi, form.data.name_en) : t('form.title', { form: s.form })
        }
        crumbs={[{ to: '/workspace', label: t('nav.workspace') }]}
        actions={<StatusPill status={s.status} late={s.late} />}
        lead={
          <p>
            {t('form.deadline', { date: formatDate(lang, s.deadline) })}{' '}
            {!canEdit && <strong>{t('form.readOnly')}</strong>}
          </p>
        }
      />
      {s.status === 'returned' && s.return_comment && (
        <div className="notice notice-warning" role="note">
          <p>
            <strong>{t('form.returnedWith')}</strong>
          </p>
          <blockquote>{s.return_comment}</blockquote>
        </div>
      )}
      <div ref={summaryRef} tabIndex={-1} className="summary-anchor">
        {message && (
          <div
            className={message.kind === 'error' ? 'state state-error' : 'notice notice-success'}
            role={message.kind === 'error' ? 'alert' : 'status'}
          >
            <p>
              <strong>{message.text}</strong>
            </p>
            {message.kind === 'error' && summaryItems.length > 0 && (
              <ul>
                {summaryItems.map((x) => (
                  <li key={x.href + x.text}>
                    <a href={x.href}>{x.text}</a>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <ExcelTemplate submission={data.submission} canEdit={canEdit} onImported={() => void load()} />
      <form
        className="entry-form"
        onSubmit={onSave}
        noValidate
        aria-describedby={errorCount ? 'form-general' : undefined}
      >
        <div id="form-general">
          {general.map((f) => (
            <p key={f.key} className={f.severity === 'error' ? 'field-error' : 'field-warning'}>
              {pick(lang, f.vi, f.en)}
            </p>
          ))}
        </div>
        {data.items.map((i) => {
          const fid = fieldId(i.indicator);
          const errs = [
            ...(fieldErrors[i.indicator] ?? []),
            ...findings(i.indicator, 'errors').map((f) => pick(lang, f.vi, f.en)),
          ];
          const warns = findings(i.indicator, 'warnings');
          const describedBy = [
            `${fid}-prev`,
            errs.length ? `${fid}-err` : '',
            warns.length ? `${fid}-warn` : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <fieldset
              key={i.indicator}
              className={errs.length ? 'entry has-error' : warns.length ? 'entry has-warning' : 'entry'}
            >
              <legend className="visually-hidden">{pick(lang, i.name_vi, i.name_en)}</legend>
              <div className="entry-label">
                <label htmlFor={fid}>
                  <span className="code">{i.indicator}</span>
                  {pick(lang, i.name_vi, i.name_en)}
                  {i.required && <span className="required"> ({t('form.required')})</span>}
                </label>
              </div>
              <div className="entry-input">
                <div className="input-unit">
                  <input
                    id={fid}
                    name={i.indicator}
                    type="text"
                    inputMode="decimal"
                    autoComplete="off"
                    value={raw[i.indicator] ?? ''}
                    onChange={(e) => setRaw((r) => ({ ...r, [i.indicator]: e.target.value }))}
                    readOnly={!canEdit}
                    aria-invalid={errs.length > 0}
                    aria-describedby={describedBy}
                    aria-required={i.required}
                  />
                  <span className="unit" aria-hidden="true">
                    {i.unit}
                  </span>
                </div>
                <p id={`${fid}-prev`} className="previous">
                  {i.previous
                    ? t('form.previous', {
                        period: formatPeriod(lang, i.previous.period),
                        value: formatValue(lang, i.previous.value, i.unit),
                      })
                    : t('form.noPrevious')}
                  <span className="visually-hidden">, {t('form.unitIs', { unit: i.unit })}</span>
                </p>
                {errs.length > 0 && (
                  <ul id={`${fid}-err`} className="field-error">
                    {errs.map((x) => (
                      <li key={x}>{x}</li>
                    ))}
                  </ul>
                )}
                {warns.length > 0 && (
                  <div id={`${fid}-warn`} className="field-warning">
                    {warns.map((w) => (
                      <WarningComment
                        key={w.key}
                        finding={w}
                        value={warningComments[w.key] ?? ''}
                        onChange={(v) => setWarningComments((c) => ({ ...c, [w.key]: v }))}
                        readOnly={!canEdit}
                      />
                    ))}
                  </div>
                )}
                <details className="entry-more">
                  <summary>
                    {t('form.commentAndEvidence')}
                    {(i.comment || filesOf(i.indicator).length > 0) &&
                      ` (${[i.comment ? 1 : 0, filesOf(i.indicator).length].reduce((a, b) => a + b)})`}
                  </summary>
                  <div className="field">
                    <label htmlFor={`${fid}-c`}>{t('form.comment')}</label>
                    <textarea
                      id={`${fid}-c`}
                      rows={2}
                      value={comments[i.indicator] ?? ''}
                      readOnly={!canEdit}
                      onChange={(e) => setComments((c) => ({ ...c, [i.indicator]: e.target.value }))}
                    />
                  </div>
                  <Evidence
                    submissionId={id}
                    indicator={i.indicator}
                    files={filesOf(i.indicator)}
                    canUpload={canEdit}
                    onUploaded={attachments.reload}
                  />
                </details>
              </div>
            </fieldset>
          );
        })}
        <TaskProgressFields
          submissionId={id}
          items={data.tasks ?? []}
          drafts={taskDrafts}
          onChange={(task, d) => setTaskDrafts((x) => ({ ...x, [task]: d }))}
          errors={taskErrors}
          canEdit={canEdit}
          files={filesOf(null)}
          onUploaded={attachments.reload}
        />
        {report?.warnings.some((w) => !w.indicator) && (
          <div className="field-warning">
            {report.warnings
              .filter((w) => !w.indicator)
              .map((w) => (
                <WarningComment
                  key={w.key}
                  finding={w}
                  value={warningComments[w.key] ?? ''}
                  onChange={(v) => setWarningComments((c) => ({ ...c, [w.key]: v }))}
                  readOnly={!canEdit}
                />
              ))}
          </div>
        )}
        <section className="entry evidence-general" aria-labelledby="ev-general">
          <h2 id="ev-general" className="h3">
            {t('form.evidenceGeneral')}
          </h2>
          <Evidence
            submissionId={id}
            indicator={null}
            files={filesOf(null)}
            canUpload={canEdit}
            onUploaded={attachments.reload}
          />
        </section>
        {canEdit && (
          <div className="form-actions sticky-actions">
            <button type="submit" className="btn btn-secondary" disabled={busy !== null}>
              {busy === 'save' ? t('form.saving') : t('form.saveDraft')}
            </button>
            <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={onSubmit}>
              {busy === 'submit' ? t('form.submitting') : t('form.submit')}
            </button>
            {dirty.length + dirtyTasks.length > 0 && (
              <span className="muted small">
                {t('form.unsaved', { count: dirty.length + dirtyTasks.length })}
              </span>
            )}
          </div>
        )}
      </form>
      {(s.status === 'approved' || s.status === 'locked') && (
        <SubmissionActions submission={s} onDone={() => void load()} />
      )}
      <p>
        <Link to="/workspace">{t('form.back')}</Link>
      </p>
    </>
  );
}

function WarningComment({
  finding,
  value,
  onChange,
  readOnly,
}: {
  finding: Finding;
  value: string;
  onChange(v: string): void;
  readOnly: boolean;
}) {
  const { t, lang } = useI18n();
  const id = `wc-${finding.key}`;
  return (
    <div className="warning-comment">
      <p>
        <strong>{t('form.warning')}:</strong> {pick(lang, finding.vi, finding.en)}
      </p>
      <div className="field">
        <label htmlFor={id}>{t('form.warningComment')}</label>
        <textarea
          id={id}
          rows={2}
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
    </div>
  );
}

function Evidence({
  submissionId,
  indicator,
  files,
  canUpload,
  onUploaded,
}: {
  submissionId: number;
  indicator: string | null;
  files: Attachment[];
  canUpload: boolean;
  onUploaded(): void;
}) {
  const { t, lang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = `file-${indicator ?? 'general'}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const upload = async (file: File) => {
    setBusy(true);
    setError(null);
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      await api.post(
        `/api/submissions/${submissionId}/attachments${indicator ? `?indicator=${encodeURIComponent(indicator)}` : ''}`,
        body,
      );
      onUploaded();
    } catch (e) {
      setError((e as ApiError).text(lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="evidence">
      {files.length > 0 && (
        <ul className="files">
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/api/attachments/${f.id}`}>{f.filename}</a>{' '}
              <span className="muted small">
                {t('form.size', { kb: Math.max(1, Math.round(f.size / 1024)) })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canUpload && (
        <div className="field">
          <label htmlFor={inputId}>{t('form.attach')}</label>
          <input
            id={inputId}
            type="file"
            accept=".pdf,.png,.jpg,.jpeg,.xlsx,.docx,.csv,.txt"
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
              e.target.value = '';
            }}
          />
          <span className="muted small">{t('form.attachHelp')}</span>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The unit's .xlsx template of this round: download it, fill it in, upload it as a draft save. */
function ExcelTemplate({
  submission,
  canEdit,
  onImported,
}: {
  submission: Submission;
  canEdit: boolean;
  onImported(): void;
}) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [faults, setFaults] = useState<string[]>([]);
  const base = `/api/rounds/${submission.round_id}/units/${encodeURIComponent(submission.org_unit)}/template`;
  const upload = async (file: File) => {
    setBusy(true);
    setDone(null);
    setFaults([]);
    try {
      const r = await api.post<{ saved: Array<{ outcome: string }>; unchanged: number }>(
        `${base}?file=${encodeURIComponent(file.name.slice(0, 200))}`,
        file,
      );
      setDone(
        t('form.excelDone', {
          file: file.name,
          changed: r.saved.filter((x) => x.outcome !== 'unchanged').length,
          unchanged: r.unchanged,
        }),
      );
      onImported();
    } catch (e) {
      const err = e as ApiError;
      setFaults(err.items.map((x) => pick(lang, x.vi, x.en)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="excel-template" aria-labelledby="excel-title">
      <h2 id="excel-title" className="h3">
        {t('form.excelTitle')}
      </h2>
      <p className="muted small">{t('form.excelHelp')}</p>
      <p>
        <a className="btn btn-secondary" href={`${base}.xlsx`} download>
          {t('form.excelDownload')}
        </a>
      </p>
      {canEdit && (
        <div className="field">
          <label htmlFor="excel-upload">{t('form.excelUpload')}</label>
          <input
            id="excel-upload"
            type="file"
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
              e.target.value = '';
            }}
          />
        </div>
      )}
      <div aria-live="polite">
        {busy && <p className="muted small">{t('form.excelImporting')}</p>}
        {done && <p className="notice notice-success">{done}</p>}
      </div>
      {faults.length > 0 && (
        <div className="field-error" role="alert">
          <p>{t('form.excelRejected')}</p>
          <ul>
            {faults.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

export function Component() {
  const id = Number(useParams().id);
  return <RequireAuth>{Number.isInteger(id) && id > 0 ? <Form id={id} /> : null}</RequireAuth>;
}
