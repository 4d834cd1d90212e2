/** Source documents (public): the plans, decisions and reports that set targets and report values. */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel } from '../../lib/catalogue.ts';
import { formatDate } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { ListOf, SourceDocument } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';

export function Component() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const list = useApi<ListOf<SourceDocument>>('/api/documents', { limit: 1000 });
  const kinds = useMemo(() => [...new Set((list.data?.items ?? []).map((d) => d.kind))].sort(), [list.data]);
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (d) =>
          (!kind || d.kind === kind) &&
          (!q || matchesVi([d.code, d.title_vi, d.title_en ?? '', d.issuer ?? ''].join(' '), q)),
      ),
    [list.data, kind, q],
  );
  const columns: Array<Column<SourceDocument>> = [
    {
      key: 'title',
      header: t('documents.col.title'),
      rowHeader: true,
      sort: (d) => pick(lang, d.title_vi, d.title_en),
      cell: (d) => (
        <>
          <Link to={paths.document(d.code)}>{pick(lang, d.title_vi, d.title_en)}</Link>
          <span className="sub code">{d.code}</span>
        </>
      ),
      className: 'col-wide',
    },
    {
      key: 'kind',
      header: t('documents.col.kind'),
      sort: (d) => d.kind,
      cell: (d) => enumLabel(t, 'docKind', d.kind),
    },
    { key: 'issuer', header: t('documents.col.issuer'), sort: (d) => d.issuer, cell: (d) => d.issuer ?? '–' },
    {
      key: 'date',
      header: t('documents.col.date'),
      sort: (d) => d.date,
      cell: (d) => formatDate(lang, d.date),
    },
  ];
  return (
    <>
      <PageHeader
        title={t('documents.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('documents.lead')}</p>}
        actions={
          <a className="btn btn-secondary" href="/api/documents.csv" download>
            {t('common.downloadCsv')}
          </a>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('documents.searchLabel')} />
            <SelectField
              label={t('documents.col.kind')}
              value={kind}
              onChange={setKind}
              allLabel={t('common.all')}
              options={kinds.map((k) => ({ value: k, label: enumLabel(t, 'docKind', k) }))}
            />
          </FilterBar>
          <Table
            caption={t('documents.caption')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(d) => d.code}
            initialSort={{ key: 'date', dir: 'desc' }}
          />
        </>
      )}
    </>
  );
}
