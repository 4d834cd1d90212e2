/**
 * One plan (public): its tasks numbered as in the document, each with its lead unit, deadline,
 * status and progress; a diacritic-insensitive search lists the matching tasks; XLSX and CSV export.
 */
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatDate, formatNumber } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { FeedbackSection } from '../feedback/FeedbackSection.tsx';
import { type PlanDetail, type PlanTask, TASK_STYLE } from './types.ts';

function flatten(tasks: PlanTask[]): PlanTask[] {
  return tasks.flatMap((t) => [t, ...flatten(t.children)]);
}

/** `linked: false` inside a <summary>, which must hold no other interactive element (WCAG). */
function TaskLine({ task, linked = true }: { task: PlanTask; linked?: boolean }) {
  const { t, lang } = useI18n();
  const plan = useParams().code ?? '';
  const deadline = pick(lang, task.deadline.label_vi, task.deadline.label_en);
  return (
    <div className="task-line">
      <span className="task-number">{task.number}</span>
      <div className="task-body">
        <p className="task-name">
          {linked ? (
            <Link to={taskPath(plan, task.number)}>{pick(lang, task.title_vi, task.title_en)}</Link>
          ) : (
            pick(lang, task.title_vi, task.title_en)
          )}
        </p>
        <p className="task-facts">
          {task.lead && (
            <span>{t('plans.leadUnit', { unit: pick(lang, task.lead.name_vi, task.lead.name_en) })}</span>
          )}
          {deadline && <span>{t('plans.deadline', { deadline })}</span>}
          {task.coordinating.length > 0 && (
            <span>
              {t('plans.coordinating', {
                units: task.coordinating.map((c) => pick(lang, c.name_vi, c.name_en)).join(', '),
              })}
            </span>
          )}
        </p>
        {task.output_vi && (
          <p className="task-facts">
            {t('plans.output', { output: pick(lang, task.output_vi, task.output_en) })}
          </p>
        )}
      </div>
      <div className="task-state">
        <span className={`badge badge-status badge-${TASK_STYLE[task.status] ?? 'not_assessed'}`}>
          {pick(lang, task.status_label_vi, task.status_label_en)}
        </span>
        {task.percent !== null && (
          <span className="sub">{t('plans.percent', { value: formatNumber(lang, task.percent, 0) })}</span>
        )}
      </div>
    </div>
  );
}

const taskPath = (plan: string, number: string) =>
  `/plans/${encodeURIComponent(plan)}/tasks/${encodeURIComponent(number)}`;

function Tree({ tasks }: { tasks: PlanTask[] }) {
  const { t } = useI18n();
  const plan = useParams().code ?? '';
  return (
    <ul className="task-tree">
      {tasks.map((task) => (
        <li key={task.id}>
          {task.children.length > 0 ? (
            <details open={task.depth === 0}>
              <summary>
                <TaskLine task={task} linked={false} />
              </summary>
              <p className="task-open">
                <Link to={taskPath(plan, task.number)}>{t('plans.openTask', { number: task.number })}</Link>
              </p>
              <Tree tasks={task.children} />
            </details>
          ) : (
            <TaskLine task={task} />
          )}
        </li>
      ))}
    </ul>
  );
}

export function Component() {
  const { t, lang } = useI18n();
  const code = useParams().code ?? '';
  const plan = useApi<PlanDetail>(`/api/plans/${encodeURIComponent(code)}`);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const all = useMemo(() => flatten(plan.data?.tasks ?? []), [plan.data]);
  const statuses = useMemo(() => {
    const m = new Map<string, string>();
    for (const x of all) m.set(x.status, pick(lang, x.status_label_vi, x.status_label_en));
    return [...m.entries()];
  }, [all, lang]);
  const matches = all.filter(
    (x) =>
      x.is_leaf &&
      (!status || x.status === status) &&
      (!q || matchesVi(`${x.number} ${x.title_vi} ${x.title_en ?? ''} ${x.lead?.name_vi ?? ''}`, q)),
  );
  if (plan.error) return <ErrorBox error={plan.error} onRetry={plan.reload} />;
  if (!plan.data) return <Loading />;
  const p = plan.data;
  const leaves = all.filter((x) => x.is_leaf).length;
  return (
    <>
      <PageHeader
        kicker={p.code}
        title={pick(lang, p.title_vi, p.title_en)}
        crumbs={[
          { to: '/', label: t('nav.home') },
          { to: '/plans', label: t('nav.plans') },
        ]}
        lead={
          <p>{[p.issuer, p.issued_on ? formatDate(lang, p.issued_on) : null].filter(Boolean).join(' · ')}</p>
        }
        actions={
          <div className="downloads">
            <a
              className="btn btn-secondary"
              href={`/api/plans/${encodeURIComponent(p.code)}/export.xlsx`}
              download
            >
              {t('plans.downloadXlsx')}
            </a>
            <a
              className="btn btn-secondary"
              href={`/api/tasks.csv?plan=${encodeURIComponent(p.code)}`}
              download
            >
              {t('common.downloadCsv')}
            </a>
          </div>
        }
      />
      <ul className="status-summary" aria-label={t('plans.summary')}>
        {statuses.map(([s, label]) => (
          <li key={s}>
            <span className={`dot dot-${TASK_STYLE[s] ?? 'not_assessed'}`} aria-hidden="true" />
            {t('overview.statusCount', { status: label, count: p.status_counts[s] ?? 0 })}
          </li>
        ))}
      </ul>
      <FilterBar
        count={
          q || status
            ? t('plans.matches', { shown: matches.length, total: leaves })
            : t('plans.leaves', { total: leaves })
        }
      >
        <SearchBox value={q} onChange={setQ} label={t('plans.search')} />
        <SelectField
          label={t('overview.col.status')}
          value={status}
          onChange={setStatus}
          allLabel={t('common.all')}
          options={statuses.map(([value, label]) => ({ value, label }))}
        />
      </FilterBar>
      <Section id="tasks" title={t('plans.tasks')}>
        {q || status ? (
          <ul className="task-tree flat">
            {matches.map((x) => (
              <li key={x.id}>
                <TaskLine task={x} />
              </li>
            ))}
          </ul>
        ) : (
          <Tree tasks={p.tasks} />
        )}
      </Section>
      <FeedbackSection kind="plan" target={p.code} />
    </>
  );
}
