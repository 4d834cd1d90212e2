/** The indicator catalogue (public): every published indicator, searchable without diacritics. */
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel, useGroups, useLevels, useNames } from '../../lib/catalogue.ts';
import { paths } from '../../lib/paths.ts';
import type { Indicator, ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';

export function Component() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const group = params.get('group') ?? '';
  const level = params.get('level') ?? '';
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  const list = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const groups = useGroups();
  const levels = useLevels();
  const levelName = useNames(levels, lang);

  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (i) =>
          (!group || i.group === group) &&
          (!level || i.levels.includes(level)) &&
          (!q || matchesVi([i.code, i.name_vi, i.name_en ?? '', i.definition_vi ?? ''].join(' '), q)),
      ),
    [list.data, group, level, q],
  );

  const columns: Array<Column<Indicator>> = [
    {
      key: 'code',
      header: t('indicators.col.code'),
      sort: (i) => i.code,
      cell: (i) => <span className="code">{i.code}</span>,
    },
    {
      key: 'name',
      header: t('indicators.col.name'),
      rowHeader: true,
      sort: (i) => pick(lang, i.name_vi, i.name_en),
      cell: (i) => <Link to={paths.indicator(i.code)}>{pick(lang, i.name_vi, i.name_en)}</Link>,
      className: 'col-wide',
    },
    {
      key: 'group',
      header: t('indicators.col.group'),
      sort: (i) => (i.group_name_vi ? pick(lang, i.group_name_vi, i.group_name_en) : null),
      cell: (i) => (i.group_name_vi ? pick(lang, i.group_name_vi, i.group_name_en) : '–'),
    },
    { key: 'unit', header: t('indicators.col.unit'), cell: (i) => i.unit },
    {
      key: 'levels',
      header: t('indicators.col.levels'),
      cell: (i) => i.levels.map((l) => levelName(l)).join(', ') || '–',
    },
    {
      key: 'period',
      header: t('indicators.col.period'),
      cell: (i) => enumLabel(t, 'periodType', i.period_type),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('indicators.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('indicators.lead')}</p>}
        actions={
          <a className="btn btn-secondary" href="/api/indicators.csv" download>
            {t('common.downloadCsv')}
          </a>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('indicators.searchLabel')} />
            <SelectField
              label={t('overview.filter.group')}
              value={group}
              onChange={(v) => setParam('group', v)}
              allLabel={t('common.all')}
              options={(groups ?? []).map((g) => ({
                value: g.code,
                label: pick(lang, g.name_vi, g.name_en),
              }))}
            />
            <SelectField
              label={t('overview.filter.level')}
              value={level}
              onChange={(v) => setParam('level', v)}
              allLabel={t('common.all')}
              options={(levels ?? []).map((l) => ({
                value: l.code,
                label: pick(lang, l.name_vi, l.name_en),
              }))}
            />
          </FilterBar>
          <Table
            caption={t('indicators.caption')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(i) => i.code}
            limit={100}
          />
        </>
      )}
    </>
  );
}
