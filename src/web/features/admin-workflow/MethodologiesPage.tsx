/**
 * Index methodologies (/admin/methodology): every version of every index (bộ chỉ số) with the
 * years it applies to and has results for, the levels it ranks, and a diacritic-insensitive search.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { SearchBox } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { useApi } from '../../lib/useApi.ts';
import { matches, RequireAdmin, useAdminCrumbs } from './shared.tsx';
import type { MethodologySummary } from './types.ts';

export const yearsText = (from: number, to: number | null) =>
  to === null ? `${from}–` : from === to ? `${from}` : `${from}–${to}`;

function List() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const levelName = useNames(useLevels(), lang);
  const list = useApi<{
    items: MethodologySummary[];
    problems: Array<{ code: string; vi: string; en: string }>;
  }>('/api/index/methodologies', undefined, { fresh: true });
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (!list.data) return <Loading />;
  const rows = list.data.items.filter((m) => matches(q, m.code, m.version, m.name_vi, m.name_en));
  const columns: Array<Column<MethodologySummary>> = [
    {
      key: 'name',
      header: t('adminWf.method.col.index'),
      rowHeader: true,
      className: 'col-wide',
      sort: (m) => `${m.code} ${m.valid_from}`,
      cell: (m) => (
        <span className="indicator-name">
          <span className="code">
            {m.code} · {t('adminWf.method.version', { version: m.version })}
          </span>
          <Link to={`/admin/methodology/${m.id}`}>{pick(lang, m.name_vi, m.name_en)}</Link>
        </span>
      ),
    },
    {
      key: 'valid',
      header: t('adminWf.method.col.valid'),
      sort: (m) => m.valid_from,
      cell: (m) => yearsText(m.valid_from, m.valid_to),
    },
    {
      key: 'levels',
      header: t('adminWf.method.col.levels'),
      cell: (m) => m.levels.map(levelName).join(', ') || '–',
    },
    {
      key: 'indicators',
      header: t('adminWf.method.col.indicators'),
      numeric: true,
      sort: (m) => m.indicators.length,
      cell: (m) => m.indicators.length,
    },
    {
      key: 'years',
      header: t('adminWf.method.col.results'),
      cell: (m) => m.years.join(', ') || '–',
    },
  ];
  return (
    <Section id="methodologies" title={t('adminWf.method.listTitle')}>
      {list.data.problems.length > 0 && (
        <div className="notice notice-warning" role="note">
          <ul>
            {list.data.problems.map((p) => (
              <li key={p.code}>{pick(lang, p.vi, p.en)}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="filters">
        <div className="filters-fields">
          <SearchBox value={q} onChange={setQ} label={t('adminWf.method.search')} />
        </div>
        <p className="filters-count" aria-live="polite">
          {t('common.shownOf', { shown: rows.length, total: list.data.items.length })}
        </p>
      </div>
      <Table
        caption={t('adminWf.method.listTitle')}
        captionHidden
        columns={columns}
        rows={rows}
        rowKey={(m) => m.id}
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
        title={t('adminWf.method.title')}
        crumbs={crumbs}
        lead={<p>{t('adminWf.method.lead')}</p>}
      />
      <List />
    </RequireAdmin>
  );
}
