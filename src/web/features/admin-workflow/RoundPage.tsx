/**
 * Managing one round (/admin/rounds/:id): its dates, the submissions counted by state, every unit's
 * submission with a search and a state filter; reopen an approved or locked submission with a
 * reason, lock one or every approved submission, e-mail the late units, move the deadline, close
 * or reopen the round.
 */
import { type FormEvent, useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { formatDate, formatDateTime, formatPeriod } from '../../lib/format.ts';
import type { Submission, SubmissionStatus } from '../../lib/rounds.ts';
import type { ListOf } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { StatusPill } from '../workspace/StatusPill.tsx';
import { ActionError, matches, RequireAdmin, TextField, useAction, useAdminCrumbs } from './shared.tsx';
import { SubmissionActions } from './SubmissionActions.tsx';
import type { LateItem, ReminderResult, Round } from './types.ts';

const STATES: SubmissionStatus[] = ['draft', 'submitted', 'returned', 'approved', 'locked'];

function Counts({ round }: { round: Round }) {
  const { t } = useI18n();
  return (
    <ul className="stats stats-6" aria-label={t('adminWf.round.countsLabel')}>
      {STATES.map((s) => (
        <li key={s}>
          <span className="stat-value">{round.counts[s]}</span>
          <span className="stat-label">{t(`workflow.${s}`)}</span>
        </li>
      ))}
      <li>
        <span className="stat-value">{round.counts.late}</span>
        <span className="stat-label">{t('workflow.late')}</span>
      </li>
    </ul>
  );
}

function RoundSettings({ round, onChanged }: { round: Round; onChanged(): void }) {
  const { t } = useI18n();
  const [deadline, setDeadline] = useState(round.deadline);
  const action = useAction();
  const patch = async (body: Record<string, unknown>) => {
    const out = await action.run(() =>
      api.patch<Round>(`/api/rounds/${round.id}`, { version: round.version, ...body }),
    );
    if (out) {
      invalidate('/api/rounds', '/api/inbox');
      onChanged();
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void patch({ deadline });
  };
  return (
    <Section id="settings" title={t('adminWf.round.settings')}>
      <ActionError error={action.error} fields={['deadline']} />
      <form className="form-row align-end" onSubmit={onSubmit} noValidate>
        <TextField label={t('adminWf.open.deadline')} type="date" value={deadline} onChange={setDeadline} />
        <button
          type="submit"
          className="btn btn-secondary"
          disabled={action.busy || deadline === round.deadline}
        >
          {t('adminWf.round.moveDeadline')}
        </button>
        <button
          type="button"
          className={round.status === 'open' ? 'btn btn-danger' : 'btn btn-secondary'}
          disabled={action.busy}
          onClick={() => void patch({ status: round.status === 'open' ? 'closed' : 'open' })}
        >
          {round.status === 'open' ? t('adminWf.round.close') : t('adminWf.round.reopenRound')}
        </button>
      </form>
    </Section>
  );
}

function Late({ round }: { round: Round }) {
  const { t, lang } = useI18n();
  const late = useApi<{ items: LateItem[] }>('/api/reminders', { round: round.id }, { fresh: true });
  const action = useAction();
  const [result, setResult] = useState<ReminderResult | null>(null);
  const send = async () => {
    const out = await action.run(() => api.post<ReminderResult>(`/api/rounds/${round.id}/reminders`));
    if (out) {
      setResult(out);
      late.reload();
    }
  };
  return (
    <Section
      id="late"
      title={t('adminWf.round.lateTitle', { count: late.data?.items.length ?? 0 })}
      actions={
        <button
          type="button"
          className="btn btn-secondary"
          disabled={action.busy || !late.data?.items.length}
          onClick={send}
        >
          {t('adminWf.round.remind')}
        </button>
      }
    >
      <ActionError error={action.error} />
      {result && (
        <div className="notice notice-success" role="status">
          <p>
            {t('adminWf.round.reminded', {
              sent: result.sent.length,
              failed: result.failed.length,
              none: result.no_contact.length,
            })}
          </p>
          {result.no_contact.length > 0 && (
            <p className="small">
              {t('adminWf.round.noContact', { units: result.no_contact.map((x) => x.org_unit).join(', ') })}
            </p>
          )}
        </div>
      )}
      {late.error && <ErrorBox error={late.error} />}
      {late.data &&
        (late.data.items.length === 0 ? (
          <p className="muted">{t('adminWf.round.noneLate')}</p>
        ) : (
          <ul className="late-list">
            {late.data.items.map((l) => (
              <li key={l.submission_id}>
                <strong>{l.org_unit_name_vi}</strong> <span className="code">{l.org_unit}</span> ·{' '}
                {t('workspace.daysLate', { days: l.days_late })} ·{' '}
                {l.contacts.length
                  ? l.contacts.map((c) => c.name).join(', ')
                  : t('adminWf.round.contactMissing')}
                {l.last_reminded_at && (
                  <span className="muted small">
                    {' '}
                    · {t('adminWf.round.lastReminded', { at: formatDateTime(lang, l.last_reminded_at) })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        ))}
    </Section>
  );
}

function Submissions({ round, onChanged }: { round: Round; onChanged(): void }) {
  const { t, lang } = useI18n();
  const subs = useApi<ListOf<Submission>>(
    '/api/submissions',
    { round: round.id, limit: 1000 },
    { fresh: true },
  );
  const [q, setQ] = useState('');
  const [state, setState] = useState('');
  const lock = useAction();
  const changed = () => {
    subs.reload();
    onChanged();
  };
  if (subs.error) return <ErrorBox error={subs.error} onRetry={subs.reload} />;
  if (!subs.data) return <Loading />;
  const rows = subs.data.items.filter(
    (s) => (!state || s.status === state) && matches(q, s.org_unit, s.org_unit_name_vi, s.org_level),
  );
  const lockAll = async () => {
    const out = await lock.run(() => api.post<{ locked: number[] }>(`/api/rounds/${round.id}/lock`));
    if (out) {
      invalidate('/api/submissions', '/api/rounds');
      changed();
    }
  };
  const columns: Array<Column<Submission>> = [
    {
      key: 'unit',
      header: t('adminWf.round.col.unit'),
      rowHeader: true,
      sort: (s) => s.org_unit_name_vi,
      cell: (s) => (
        <span className="indicator-name">
          <span className="code">{s.org_unit}</span>
          <Link to={`/workspace/review/${s.id}`}>{s.org_unit_name_vi}</Link>
        </span>
      ),
    },
    {
      key: 'status',
      header: t('adminWf.rounds.col.status'),
      sort: (s) => STATES.indexOf(s.status),
      cell: (s) => <StatusPill status={s.status} late={s.late} />,
    },
    {
      key: 'submitted',
      header: t('adminWf.round.col.submitted'),
      sort: (s) => s.submitted_at ?? '',
      cell: (s) => (s.submitted_at ? formatDateTime(lang, s.submitted_at) : '–'),
    },
    {
      key: 'actions',
      header: t('adminWf.round.col.actions'),
      className: 'col-wide cell-actions',
      cell: (s) => <SubmissionActions submission={s} onDone={changed} compact />,
    },
  ];
  return (
    <Section
      id="submissions"
      title={t('adminWf.round.submissions')}
      actions={
        <button
          type="button"
          className="btn btn-secondary"
          disabled={lock.busy || round.counts.approved === 0}
          onClick={lockAll}
        >
          {t('adminWf.round.lockAll', { count: round.counts.approved })}
        </button>
      }
    >
      <ActionError error={lock.error} />
      <div className="filters">
        <div className="filters-fields">
          <SearchBox value={q} onChange={setQ} label={t('adminWf.round.searchUnits')} />
          <SelectField
            label={t('adminWf.rounds.col.status')}
            value={state}
            onChange={setState}
            allLabel={t('common.all')}
            options={STATES.map((s) => ({ value: s, label: t(`workflow.${s}`) }))}
          />
        </div>
        <p className="filters-count" aria-live="polite">
          {t('common.shownOf', { shown: rows.length, total: subs.data.items.length })}
        </p>
      </div>
      <Table
        caption={t('adminWf.round.submissions')}
        captionHidden
        columns={columns}
        rows={rows}
        rowKey={(s) => s.id}
        limit={100}
      />
    </Section>
  );
}

function RoundView({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/rounds', label: t('adminWf.rounds.title') }];
  const round = useApi<Round>(`/api/rounds/${id}`, undefined, { fresh: true, keep: true });
  const headingId = useId();
  if (round.error) return <ErrorBox error={round.error} onRetry={round.reload} />;
  if (!round.data) return <Loading />;
  const r = round.data;
  return (
    <>
      <PageHeader
        kicker={`${r.form} · ${formatPeriod(lang, r.period)} · ${r.scope_unit}${r.scope_level ? ` (${r.scope_level})` : ''}`}
        title={pick(lang, r.title_vi ?? r.form_name_vi, r.title_en ?? r.form_name_en)}
        crumbs={crumbs}
        actions={
          <span className={r.status === 'open' ? 'badge badge-on_track' : 'badge badge-neutral'}>
            {t(r.status === 'open' ? 'adminWf.rounds.open' : 'adminWf.rounds.closed')}
          </span>
        }
        lead={
          <p id={headingId}>
            {t('adminWf.round.dates', {
              from: formatDate(lang, r.data_from),
              to: formatDate(lang, r.data_to),
              cutoff: formatDate(lang, r.cutoff),
              deadline: formatDate(lang, r.deadline),
            })}{' '}
            {r.window_rule === 'decree09' ? t('adminWf.open.decree09') : t('adminWf.open.calendar')}
          </p>
        }
      />
      <Counts round={r} />
      <Submissions round={r} onChanged={round.reload} />
      <Late round={r} />
      <RoundSettings key={r.version} round={r} onChanged={round.reload} />
      <p>
        <Link to="/admin/rounds">{t('adminWf.back')}</Link>
      </p>
    </>
  );
}

export function Component() {
  const id = Number(useParams().id);
  return <RequireAdmin>{Number.isInteger(id) && id > 0 ? <RoundView id={id} /> : null}</RequireAdmin>;
}
