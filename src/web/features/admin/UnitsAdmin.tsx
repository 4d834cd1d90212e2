/**
 * Administration: the org-unit tree as an indented list with each unit's validity, filtered by level
 * and by whether the unit is valid today, searchable without diacritics; links to edit a unit, add
 * one, and record a reorganisation.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { ClosedBadge } from '../../components/Badges.tsx';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import type { ListOf, OrgUnit } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { adminCrumbs, RequireAdmin } from './form.tsx';

export const isValidOn = (u: Pick<OrgUnit, 'valid_from' | 'valid_to'>, day: string) =>
  (!u.valid_from || u.valid_from <= day) && (!u.valid_to || u.valid_to >= day);

function UnitsAdmin() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [level, setLevel] = useState('');
  const [validity, setValidity] = useState('current');
  const list = useApi<ListOf<OrgUnit>>('/api/org-units', { limit: 1000 }, { fresh: true });
  const levels = useLevels();
  const levelName = useNames(levels, lang);
  const today = new Date().toISOString().slice(0, 10);
  const byCode = useMemo(() => new Map((list.data?.items ?? []).map((u) => [u.code, u])), [list.data]);
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (u) =>
          (!level || u.level === level) &&
          (validity === 'all' || (validity === 'current' ? isValidOn(u, today) : !isValidOn(u, today))) &&
          (!q || matchesVi([u.code, u.official_code ?? '', u.name_vi, u.name_en ?? ''].join(' '), q)),
      ),
    [list.data, level, validity, q, today],
  );
  const columns: Array<Column<OrgUnit>> = [
    {
      key: 'name',
      header: t('admin.unit.name'),
      rowHeader: true,
      cell: (u) => (
        <span className="tree-name" style={{ paddingInlineStart: `${Math.min(u.depth, 6) * 1.1}rem` }}>
          {u.depth > 0 && (
            <span className="tree-mark" aria-hidden="true">
              {'└ '}
            </span>
          )}
          <Link to={`/admin/units/${encodeURIComponent(u.code)}`}>{pick(lang, u.name_vi, u.name_en)}</Link>{' '}
          <ClosedBadge validTo={u.valid_to && u.valid_to < today ? u.valid_to : null} />
        </span>
      ),
      className: 'col-wide',
    },
    { key: 'code', header: t('admin.unit.code'), cell: (u) => <span className="code">{u.code}</span> },
    { key: 'level', header: t('admin.unit.level'), cell: (u) => levelName(u.level) },
    {
      key: 'parent',
      header: t('admin.unit.parent'),
      cell: (u) => (u.parent ? (byCode.get(u.parent)?.name_vi ?? u.parent) : '–'),
    },
    {
      key: 'validity',
      header: t('admin.unit.validity'),
      cell: (u) =>
        `${u.valid_from ? formatDate(lang, u.valid_from) : t('units.always')} – ${u.valid_to ? formatDate(lang, u.valid_to) : t('units.now')}`,
    },
  ];
  return (
    <>
      <PageHeader
        title={t('admin.units.title')}
        crumbs={adminCrumbs(t)}
        lead={<p>{t('admin.units.lead')}</p>}
        actions={
          <>
            <Link className="btn btn-primary" to="/admin/units/new">
              {t('admin.units.new')}
            </Link>
            <Link className="btn btn-secondary" to="/admin/reorganisations/new">
              {t('admin.reorg.new')}
            </Link>
          </>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          {list.data.total > list.data.items.length && (
            <div className="notice notice-warning">
              <p>{t('admin.units.partial', { shown: list.data.items.length, total: list.data.total })}</p>
            </div>
          )}
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
            <SelectField
              label={t('overview.filter.level')}
              value={level}
              onChange={setLevel}
              allLabel={t('common.all')}
              options={(levels ?? []).map((l) => ({
                value: l.code,
                label: pick(lang, l.name_vi, l.name_en),
              }))}
            />
            <SelectField
              label={t('admin.unit.validity')}
              value={validity}
              onChange={setValidity}
              options={[
                { value: 'current', label: t('admin.units.validNow') },
                { value: 'closed', label: t('admin.units.notValidNow') },
                { value: 'all', label: t('common.all') },
              ]}
            />
          </FilterBar>
          <Table
            caption={t('admin.units.title')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(u) => u.code}
            limit={200}
          />
        </>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <UnitsAdmin />
    </RequireAdmin>
  );
}
