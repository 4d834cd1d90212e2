/** Administration: the indicator catalogue, unpublished ones included, with a link to edit each. */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel, useGroups } from '../../lib/catalogue.ts';
import type { Indicator, ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { adminCrumbs, RequireAdmin } from './form.tsx';

function IndicatorsAdmin() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [group, setGroup] = useState('');
  const [published, setPublished] = useState('');
  const list = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 }, { fresh: true });
  const groups = useGroups();
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (i) =>
          (!group || i.group === group) &&
          (!published || String(i.published) === published) &&
          (!q ||
            matchesVi(
              [i.code, i.name_vi, i.name_en ?? '', i.definition_vi ?? '', i.formula ?? ''].join(' '),
              q,
            )),
      ),
    [list.data, group, published, q],
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
      cell: (i) => (
        <Link to={`/admin/indicators/${encodeURIComponent(i.code)}`}>{pick(lang, i.name_vi, i.name_en)}</Link>
      ),
      className: 'col-wide',
    },
    {
      key: 'group',
      header: t('indicators.col.group'),
      sort: (i) => (i.group_name_vi ? pick(lang, i.group_name_vi, i.group_name_en) : null),
      cell: (i) => (i.group_name_vi ? pick(lang, i.group_name_vi, i.group_name_en) : '–'),
    },
    {
      key: 'type',
      header: t('admin.indicator.valueType'),
      cell: (i) => enumLabel(t, 'valueType', i.value_type),
    },
    {
      key: 'formula',
      header: t('admin.indicator.formula'),
      cell: (i) => (i.formula ? <code className="formula">{i.formula}</code> : '–'),
    },
    {
      key: 'published',
      header: t('admin.indicator.published'),
      sort: (i) => (i.published ? 1 : 0),
      cell: (i) =>
        i.published ? (
          t('admin.yes')
        ) : (
          <span className="badge badge-neutral">{t('admin.indicator.draft')}</span>
        ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t('admin.indicators.title')}
        crumbs={adminCrumbs(t)}
        lead={<p>{t('admin.indicators.lead')}</p>}
        actions={
          <Link className="btn btn-primary" to="/admin/indicators/new">
            {t('admin.indicators.new')}
          </Link>
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
              onChange={setGroup}
              allLabel={t('common.all')}
              options={(groups ?? []).map((g) => ({
                value: g.code,
                label: pick(lang, g.name_vi, g.name_en),
              }))}
            />
            <SelectField
              label={t('admin.indicator.published')}
              value={published}
              onChange={setPublished}
              allLabel={t('common.all')}
              options={[
                { value: 'true', label: t('admin.indicator.publishedYes') },
                { value: 'false', label: t('admin.indicator.draft') },
              ]}
            />
          </FilterBar>
          <Table
            caption={t('admin.indicators.title')}
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

export function Component() {
  return (
    <RequireAdmin>
      <IndicatorsAdmin />
    </RequireAdmin>
  );
}
