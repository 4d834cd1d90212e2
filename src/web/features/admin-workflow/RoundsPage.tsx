/**
 * Administration of reporting: the rounds (with their submissions counted by state) and the forms,
 * each list with a diacritic-insensitive search; links to open a round, create a form and define
 * validation rules.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { SearchBox } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel } from '../../lib/catalogue.ts';
import { formatDate, formatPeriod } from '../../lib/format.ts';
import type { ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { matches, RequireAdmin, useAdminCrumbs } from './shared.tsx';
import type { FormSummary, Round } from './types.ts';

function Rounds() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const rounds = useApi<ListOf<Round>>('/api/rounds', { limit: 500 }, { fresh: true });
  if (rounds.error) return <ErrorBox error={rounds.error} onRetry={rounds.reload} />;
  if (!rounds.data) return <Loading />;
  const rows = rounds.data.items.filter((r) =>
    matches(q, r.form, r.form_name_vi, r.form_name_en, r.period, r.period_label_vi, r.scope_unit, r.title_vi),
  );
  const columns: Array<Column<Round>> = [
    {
      key: 'form',
      header: t('adminWf.rounds.col.round'),
      rowHeader: true,
      className: 'col-wide',
      sort: (r) => pick(lang, r.form_name_vi, r.form_name_en),
      cell: (r) => (
        <span className="indicator-name">
          <span className="code">
            {r.form} · {formatPeriod(lang, r.period)}
          </span>
          <Link to={`/admin/rounds/${r.id}`}>
            {pick(lang, r.title_vi ?? r.form_name_vi, r.title_en ?? r.form_name_en)}
          </Link>
        </span>
      ),
    },
    {
      key: 'scope',
      header: t('adminWf.rounds.col.scope'),
      sort: (r) => r.scope_unit,
      cell: (r) => (
        <>
          <span className="code">{r.scope_unit}</span>
          {r.scope_level && <span className="sub">{r.scope_level}</span>}
        </>
      ),
    },
    {
      key: 'deadline',
      header: t('adminWf.rounds.col.deadline'),
      sort: (r) => r.deadline,
      cell: (r) => formatDate(lang, r.deadline),
    },
    {
      key: 'status',
      header: t('adminWf.rounds.col.status'),
      sort: (r) => r.status,
      cell: (r) => (
        <span className={r.status === 'open' ? 'badge badge-on_track' : 'badge badge-neutral'}>
          {t(r.status === 'open' ? 'adminWf.rounds.open' : 'adminWf.rounds.closed')}
        </span>
      ),
    },
    {
      key: 'progress',
      header: t('adminWf.rounds.col.progress'),
      numeric: true,
      sort: (r) => (r.counts.total ? (r.counts.approved + r.counts.locked) / r.counts.total : 0),
      cell: (r) =>
        t('adminWf.rounds.progress', {
          done: r.counts.approved + r.counts.locked,
          submitted: r.counts.submitted,
          total: r.counts.total,
        }),
    },
  ];
  return (
    <Section
      id="rounds"
      title={t('adminWf.rounds.roundsTitle')}
      actions={
        <Link className="btn btn-primary" to="/admin/rounds/new">
          {t('adminWf.rounds.openRound')}
        </Link>
      }
    >
      <div className="filters">
        <div className="filters-fields">
          <SearchBox value={q} onChange={setQ} label={t('adminWf.rounds.searchRounds')} />
        </div>
        <p className="filters-count" aria-live="polite">
          {t('common.shownOf', { shown: rows.length, total: rounds.data.items.length })}
        </p>
      </div>
      <Table
        caption={t('adminWf.rounds.roundsTitle')}
        captionHidden
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        limit={50}
      />
    </Section>
  );
}

function Forms() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const forms = useApi<{ items: FormSummary[] }>('/api/forms', undefined, { fresh: true });
  if (forms.error) return <ErrorBox error={forms.error} onRetry={forms.reload} />;
  if (!forms.data) return <Loading />;
  const rows = forms.data.items.filter((f) => matches(q, f.code, f.name_vi, f.name_en));
  const columns: Array<Column<FormSummary>> = [
    {
      key: 'name',
      header: t('adminWf.forms.col.form'),
      rowHeader: true,
      className: 'col-wide',
      sort: (f) => pick(lang, f.name_vi, f.name_en),
      cell: (f) => (
        <span className="indicator-name">
          <span className="code">{f.code}</span>
          <Link to={`/admin/rounds/forms/${encodeURIComponent(f.code)}`}>
            {pick(lang, f.name_vi, f.name_en)}
          </Link>
        </span>
      ),
    },
    {
      key: 'period_type',
      header: t('adminWf.forms.col.periodType'),
      sort: (f) => f.period_type,
      cell: (f) => enumLabel(t, 'periodType', f.period_type),
    },
    {
      key: 'items',
      header: t('adminWf.forms.col.items'),
      numeric: true,
      sort: (f) => f.items_count,
      cell: (f) => f.items_count,
    },
    {
      key: 'version',
      header: t('adminWf.forms.col.version'),
      numeric: true,
      sort: (f) => f.version,
      cell: (f) => f.version,
    },
  ];
  return (
    <Section
      id="forms"
      title={t('adminWf.forms.title')}
      actions={
        <>
          <Link className="btn btn-secondary" to="/admin/rounds/rules">
            {t('adminWf.rules.title')}
          </Link>
          <Link className="btn btn-primary" to="/admin/rounds/forms/new">
            {t('adminWf.forms.create')}
          </Link>
        </>
      }
    >
      <div className="filters">
        <div className="filters-fields">
          <SearchBox value={q} onChange={setQ} label={t('adminWf.forms.search')} />
        </div>
        <p className="filters-count" aria-live="polite">
          {t('common.shownOf', { shown: rows.length, total: forms.data.items.length })}
        </p>
      </div>
      <Table
        caption={t('adminWf.forms.title')}
        captionHidden
        columns={columns}
        rows={rows}
        rowKey={(f) => f.code}
      />
    </Section>
  );
}

export function Component() {
  const { t } = useI18n();
  const crumbs = useAdminCrumbs();
  return (
    <RequireAdmin>
      <PageHeader
        title={t('adminWf.rounds.title')}
        crumbs={crumbs}
        lead={<p>{t('adminWf.rounds.lead')}</p>}
      />
      <Rounds />
      <Forms />
    </RequireAdmin>
  );
}
