/** Org units (public): every unit of the programme, current and closed, searchable without diacritics. */
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { ClosedBadge } from '../../components/Badges.tsx';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { ListOf, OrgUnit } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';

export function Component() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState('');
  const level = params.get('level') ?? '';
  const state = params.get('state') ?? 'current';
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  const list = useApi<ListOf<OrgUnit>>('/api/org-units', { limit: 1000 });
  const levels = useLevels();
  const levelName = useNames(levels, lang);
  const names = useMemo(() => new Map((list.data?.items ?? []).map((u) => [u.code, u.name_vi])), [list.data]);

  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (u) =>
          (!level || u.level === level) &&
          (state === 'all' || (state === 'current' ? !u.valid_to : Boolean(u.valid_to))) &&
          (!q || matchesVi([u.code, u.official_code ?? '', u.name_vi, u.name_en ?? ''].join(' '), q)),
      ),
    [list.data, level, state, q],
  );

  const columns: Array<Column<OrgUnit>> = [
    {
      key: 'name',
      header: t('units.col.name'),
      rowHeader: true,
      sort: (u) => u.name_vi,
      cell: (u) => (
        <>
          <Link to={paths.unit(u.code)}>{pick(lang, u.name_vi, u.name_en)}</Link>{' '}
          <ClosedBadge validTo={u.valid_to} />
        </>
      ),
      className: 'col-wide',
    },
    {
      key: 'code',
      header: t('units.col.code'),
      sort: (u) => u.code,
      cell: (u) => <span className="code">{u.code}</span>,
    },
    {
      key: 'level',
      header: t('units.col.level'),
      sort: (u) => levelName(u.level),
      cell: (u) => levelName(u.level),
    },
    {
      key: 'parent',
      header: t('units.col.parent'),
      sort: (u) => (u.parent ? names.get(u.parent) : null),
      cell: (u) =>
        u.parent ? <Link to={paths.unit(u.parent)}>{names.get(u.parent) ?? u.parent}</Link> : '–',
    },
    {
      key: 'validity',
      header: t('units.col.validity'),
      sort: (u) => u.valid_to ?? u.valid_from,
      cell: (u) =>
        u.valid_from || u.valid_to
          ? `${formatDate(lang, u.valid_from)} → ${u.valid_to ? formatDate(lang, u.valid_to) : t('units.now')}`
          : t('units.always'),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('units.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('units.lead')}</p>}
        actions={
          <a className="btn btn-secondary" href="/api/org-units.csv" download>
            {t('common.downloadCsv')}
          </a>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
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
            <SelectField
              label={t('units.filter.state')}
              value={state}
              onChange={(v) => setParam('state', v === 'current' ? '' : v)}
              options={[
                { value: 'current', label: t('units.state.current') },
                { value: 'closed', label: t('units.state.closed') },
                { value: 'all', label: t('units.state.all') },
              ]}
            />
          </FilterBar>
          <Table
            caption={t('units.caption')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(u) => u.code}
            limit={100}
          />
          {list.data.total > list.data.items.length && (
            <p className="muted small">
              {t('units.truncated', { shown: list.data.items.length, total: list.data.total })}
            </p>
          )}
        </>
      )}
    </>
  );
}
