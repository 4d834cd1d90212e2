/** Administration: recorded reorganisations (merges, splits, renames), newest first, searchable. */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { enumLabel } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { adminCrumbs, RequireAdmin } from './form.tsx';

export interface Reorganisation {
  kind: string;
  effective_date: string;
  predecessors: Array<{ code: string; name_vi: string; share: number | null }>;
  successors: Array<{ code: string; name_vi: string; share: number | null }>;
  source: string | null;
}

const unitLinks = (units: Reorganisation['predecessors']) => (
  <ul className="plain-list">
    {units.map((u) => (
      <li key={u.code}>
        <Link to={`/admin/units/${encodeURIComponent(u.code)}`}>{u.name_vi}</Link>{' '}
        <span className="code small">{u.code}</span>
        {u.share !== null && <span className="muted small"> · {Math.round(u.share * 100)}%</span>}
      </li>
    ))}
  </ul>
);

function Reorganisations() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const list = useApi<{ items: Reorganisation[] }>('/api/org-reorganisations', {}, { fresh: true });
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (r) =>
          (!kind || r.kind === kind) &&
          (!q ||
            matchesVi(
              [...r.predecessors, ...r.successors].map((u) => `${u.code} ${u.name_vi}`).join(' ') +
                ` ${r.source ?? ''}`,
              q,
            )),
      ),
    [list.data, kind, q],
  );
  const columns: Array<Column<Reorganisation>> = [
    {
      key: 'date',
      header: t('admin.reorg.effectiveDate'),
      sort: (r) => r.effective_date,
      cell: (r) => formatDate(lang, r.effective_date),
    },
    { key: 'kind', header: t('admin.reorg.kind'), cell: (r) => enumLabel(t, 'lineage', r.kind) },
    {
      key: 'from',
      header: t('admin.reorg.predecessors'),
      cell: (r) => unitLinks(r.predecessors),
      className: 'col-wide',
    },
    { key: 'to', header: t('admin.reorg.successors'), rowHeader: true, cell: (r) => unitLinks(r.successors) },
    {
      key: 'source',
      header: t('admin.reorg.source'),
      cell: (r) => <span className="small">{r.source ?? '–'}</span>,
    },
  ];
  return (
    <>
      <PageHeader
        title={t('admin.reorg.title')}
        crumbs={[...adminCrumbs(t), { to: '/admin/units', label: t('admin.units.title') }]}
        lead={<p>{t('admin.reorg.lead')}</p>}
        actions={
          <Link className="btn btn-primary" to="/admin/reorganisations/new">
            {t('admin.reorg.new')}
          </Link>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
            <SelectField
              label={t('admin.reorg.kind')}
              value={kind}
              onChange={setKind}
              allLabel={t('common.all')}
              options={['merge', 'split', 'rename', 'transfer'].map((k) => ({
                value: k,
                label: enumLabel(t, 'lineage', k),
              }))}
            />
          </FilterBar>
          <Table
            caption={t('admin.reorg.title')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(r) =>
              `${r.effective_date}|${r.kind}|${r.predecessors.map((u) => u.code).join('+')}>${r.successors.map((u) => u.code).join('+')}`
            }
            limit={100}
          />
        </>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <Reorganisations />
    </RequireAdmin>
  );
}
