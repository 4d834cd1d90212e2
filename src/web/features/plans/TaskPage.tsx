/**
 * One task (public), /plans/:code/tasks/:number: its title, lead, joint-lead and coordinating units,
 * deadline, expected output, status and percent complete; the status of each responsible unit; every
 * recorded progress report (reporting rounds, direct reports, synthetic demo reports marked as such);
 * the indicators it is linked to with their status against target; and public feedback on it.
 */
import { Link, useParams } from 'react-router';
import { TASK_STATUS_LABELS, type TaskStatus } from '../../../core/tasks.ts';
import { ProvenanceBadge } from '../../components/Badges.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { Table } from '../../components/Table.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { formatDate, formatNumber, formatPeriod } from '../../lib/format.ts';
import type { ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import type { ProgressItem } from '../overview/progress.ts';
import { FeedbackSection } from '../feedback/FeedbackSection.tsx';
import { type Assignee, type PlanDetail, type PlanTask, TASK_STYLE } from './types.ts';

interface TaskDetail {
  id: number;
  plan: string;
  plan_title_vi: string;
  plan_title_en: string | null;
  number: string;
  title_vi: string;
  title_en: string | null;
  description_vi: string | null;
  description_en: string | null;
  lead: Assignee | null;
  co_leads: Assignee[];
  coordinating: Assignee[];
  deadline: { label_vi: string; label_en: string; date: string | null };
  output_vi: string | null;
  output_en: string | null;
  quote: string | null;
  indicators: Array<{ code: string; name_vi: string; name_en: string | null }>;
  status: string;
  status_label_vi: string;
  status_label_en: string;
  percent: number | null;
  days_left: number | null;
  unit_statuses: Array<{
    org_unit: string;
    org_unit_name_vi: string;
    role: 'lead' | 'co_lead';
    status: string;
    percent: number | null;
    period: string | null;
  }>;
  progress: Array<{
    id: number;
    org_unit: string;
    org_unit_name_vi: string;
    period: string;
    role: 'lead' | 'co_lead' | 'coordinating';
    status: 'not_started' | 'in_progress' | 'done' | 'blocked';
    percent: number | null;
    narrative: string | null;
    evidence: string | null;
    completed_on: string | null;
    provenance: string;
    reported_at: string;
  }>;
}

function find(tasks: PlanTask[], number: string): PlanTask | null {
  for (const t of tasks) {
    if (t.number === number) return t;
    const c = find(t.children, number);
    if (c) return c;
  }
  return null;
}

const ROLE: Record<string, Key> = {
  lead: 'taskPage.role_lead',
  co_lead: 'taskPage.role_co_lead',
  coordinating: 'taskPage.role_coordinating',
};
const PROGRESS: Record<string, Key> = {
  not_started: 'taskForm.status.not_started',
  in_progress: 'taskForm.status.in_progress',
  done: 'taskForm.status.done',
  blocked: 'taskForm.status.blocked',
};
/** The engine's statuses against target (progress API) in the badge colours. */
const TARGET_STATUS: Record<string, Key> = {
  achieved: 'status.achieved',
  on_track: 'status.on_track',
  at_risk: 'status.at_risk',
  off_track: 'status.off_track',
  insufficient_data: 'status.insufficient_data',
};

function IndicatorStatus({ code }: { code: string }) {
  const { t, lang } = useI18n();
  const p = useApi<ListOf<ProgressItem>>('/api/progress', { indicator: code, limit: 3 });
  if (p.error) return <span className="muted small">{t('taskPage.notAssessed')}</span>;
  if (!p.data) return <span className="muted small">…</span>;
  const first = p.data.items[0];
  if (!first) return <span className="muted small">{t('taskPage.notAssessed')}</span>;
  const key = TARGET_STATUS[first.status];
  return (
    <span>
      <span className={`badge badge-status badge-${key ? first.status : 'not_assessed'}`}>
        {key ? t(key) : t('taskPage.notAssessed')}
      </span>{' '}
      <span className="muted small">
        {first.org_unit_name_vi} · {formatPeriod(lang, first.period)}
        {p.data.total > 1 ? ` (+${p.data.total - 1})` : ''}
      </span>
    </span>
  );
}

const names = (lang: 'vi' | 'en', list: Assignee[]) =>
  list.map((a) => pick(lang, a.name_vi, a.name_en)).join('; ');

function Detail({ id, plan }: { id: number; plan: PlanDetail }) {
  const { t, lang } = useI18n();
  const task = useApi<TaskDetail>(`/api/tasks/${id}`);
  if (task.error) return <ErrorBox error={task.error} onRetry={task.reload} />;
  if (!task.data) return <Loading />;
  const x = task.data;
  const node = find(plan.tasks, x.number);
  const planPath = `/plans/${encodeURIComponent(plan.code)}`;
  const facts: Array<[string, string]> = [
    [
      t('taskPage.lead'),
      x.lead
        ? pick(lang, x.lead.name_vi, x.lead.name_en)
        : // no lead unit in the text: the units answering for it (the plan's issuer)
          x.unit_statuses
            .filter((u) => u.role === 'lead')
            .map((u) => u.org_unit_name_vi)
            .join('; ') || t('taskPage.none'),
    ],
    ...(x.co_leads.length ? [[t('taskPage.coLeads'), names(lang, x.co_leads)] as [string, string]] : []),
    [t('taskPage.coordinating'), x.coordinating.length ? names(lang, x.coordinating) : t('taskPage.none')],
    [t('taskPage.deadline'), pick(lang, x.deadline.label_vi, x.deadline.label_en) || t('taskPage.none')],
    [t('taskPage.output'), x.output_vi ? pick(lang, x.output_vi, x.output_en) : t('taskPage.none')],
  ];
  return (
    <>
      <PageHeader
        kicker={t('taskPage.kicker', { number: x.number, plan: x.plan })}
        title={pick(lang, x.title_vi, x.title_en)}
        crumbs={[
          { to: '/plans', label: t('nav.plans') },
          { to: planPath, label: x.plan },
        ]}
        actions={
          <span className={`badge badge-status badge-${TASK_STYLE[x.status] ?? 'not_assessed'}`}>
            {pick(lang, x.status_label_vi, x.status_label_en)}
          </span>
        }
        lead={
          <p>
            {x.percent !== null && t('plans.percent', { value: formatNumber(lang, x.percent, 0) })}
            {x.days_left !== null && x.status !== 'done' && x.status !== 'done_late' && (
              <>
                {x.percent !== null ? ' · ' : ''}
                {x.days_left >= 0
                  ? t('taskPage.daysLeft', { days: x.days_left })
                  : t('taskPage.daysLate', { days: -x.days_left })}
              </>
            )}
          </p>
        }
      />
      <Section id="facts" title={t('taskPage.facts')}>
        <dl className="facts">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {x.description_vi && (
          <>
            <h3>{t('taskPage.description')}</h3>
            <p>{pick(lang, x.description_vi, x.description_en)}</p>
          </>
        )}
        {x.quote && (
          <details>
            <summary>{t('taskPage.quote')}</summary>
            <blockquote lang="vi">{x.quote}</blockquote>
          </details>
        )}
        {node && node.children.length > 0 && (
          <>
            <h3>{t('taskPage.children')}</h3>
            <ul>
              {node.children.map((c) => (
                <li key={c.id}>
                  <Link to={`${planPath}/tasks/${encodeURIComponent(c.number)}`}>
                    {c.number} {pick(lang, c.title_vi, c.title_en)}
                  </Link>{' '}
                  <span className={`badge badge-status badge-${TASK_STYLE[c.status] ?? 'not_assessed'}`}>
                    {pick(lang, c.status_label_vi, c.status_label_en)}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>
      {x.unit_statuses.length > 0 && (
        <Section id="units" title={t('taskPage.units')}>
          <Table
            caption={t('taskPage.units')}
            captionHidden
            rows={x.unit_statuses}
            rowKey={(r) => r.org_unit}
            columns={[
              { key: 'unit', header: t('taskPage.unit'), rowHeader: true, cell: (r) => r.org_unit_name_vi },
              { key: 'role', header: t('taskPage.role'), cell: (r) => t(ROLE[r.role]!) },
              {
                key: 'status',
                header: t('taskPage.status'),
                cell: (r) => (
                  <span className={`badge badge-status badge-${TASK_STYLE[r.status] ?? 'not_assessed'}`}>
                    {TASK_STATUS_LABELS[r.status as TaskStatus]
                      ? pick(
                          lang,
                          TASK_STATUS_LABELS[r.status as TaskStatus].vi,
                          TASK_STATUS_LABELS[r.status as TaskStatus].en,
                        )
                      : r.status}
                  </span>
                ),
              },
              {
                key: 'percent',
                header: t('taskPage.percent'),
                numeric: true,
                cell: (r) => (r.percent === null ? '—' : `${formatNumber(lang, r.percent, 0)}%`),
              },
            ]}
          />
        </Section>
      )}
      <Section id="history" title={t('taskPage.history')}>
        {x.progress.length === 0 ? (
          <Empty>{t('taskPage.noHistory')}</Empty>
        ) : (
          <Table
            caption={t('taskPage.history')}
            captionHidden
            rows={[...x.progress].reverse()}
            rowKey={(r) => r.id}
            columns={[
              {
                key: 'period',
                header: t('taskPage.period'),
                rowHeader: true,
                cell: (r) => formatPeriod(lang, r.period),
              },
              {
                key: 'unit',
                header: t('taskPage.unit'),
                cell: (r) => (
                  <>
                    {r.org_unit_name_vi} <span className="muted small">({t(ROLE[r.role]!)})</span>
                  </>
                ),
              },
              {
                key: 'status',
                header: t('taskPage.status'),
                cell: (r) => (
                  <>
                    {t(PROGRESS[r.status]!)}
                    {r.percent !== null ? ` · ${formatNumber(lang, r.percent, 0)}%` : ''}{' '}
                    <ProvenanceBadge provenance={r.provenance} />
                  </>
                ),
              },
              { key: 'narrative', header: t('taskPage.narrative'), cell: (r) => r.narrative ?? '—' },
              { key: 'evidence', header: t('taskPage.evidence'), cell: (r) => r.evidence ?? '—' },
              {
                key: 'at',
                header: t('taskPage.reportedAt'),
                cell: (r) => formatDate(lang, r.reported_at),
              },
            ]}
          />
        )}
      </Section>
      <Section id="indicators" title={t('taskPage.indicators')}>
        {x.indicators.length === 0 ? (
          <Empty>{t('taskPage.noIndicators')}</Empty>
        ) : (
          <ul className="task-indicators">
            {x.indicators.map((i) => (
              <li key={i.code}>
                <Link to={`/indicators/${encodeURIComponent(i.code)}`}>
                  <span className="code">{i.code}</span> {pick(lang, i.name_vi, i.name_en)}
                </Link>
                <div>
                  <span className="visually-hidden">{t('taskPage.indicatorStatus')}: </span>
                  <IndicatorStatus code={i.code} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <FeedbackSection kind="task" target={String(x.id)} />
    </>
  );
}

export function Component() {
  const { t } = useI18n();
  const params = useParams();
  const code = params.code ?? '';
  const number = params.number ?? '';
  const plan = useApi<PlanDetail>(`/api/plans/${encodeURIComponent(code)}`);
  if (plan.error) return <ErrorBox error={plan.error} onRetry={plan.reload} />;
  if (!plan.data) return <Loading />;
  const node = find(plan.data.tasks, number);
  if (!node) return <Empty>{t('taskPage.notFound', { number })}</Empty>;
  return <Detail id={node.id} plan={plan.data} />;
}
