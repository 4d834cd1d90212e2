/** Administration: source documents (plans, decisions, reports), searchable, each with an edit link. */
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
import type { ListOf, SourceDocument } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { adminCrumbs, RequireAdmin } from './form.tsx';

function DocumentsAdmin() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const list = useApi<ListOf<SourceDocument>>('/api/documents', { limit: 1000 }, { fresh: true });
  const kinds = useMemo(() => [...new Set((list.data?.items ?? []).map((d) => d.kind))].sort(), [list.data]);
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (d) =>
          (!kind || d.kind === kind) &&
          (!q ||
            matchesVi(
              [d.code, d.title_vi, d.title_en ?? '', d.issuer ?? '', d.number ?? '', d.symbol ?? ''].join(
                ' ',
              ),
              q,
            )),
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
          <Link to={`/admin/documents/${encodeURIComponent(d.code)}`}>
            {pick(lang, d.title_vi, d.title_en)}
          </Link>
          <span className="sub code">{d.code}</span>
        </>
      ),
      className: 'col-wide',
    },
    {
      key: 'kind',
      header: t('admin.document.kind'),
      sort: (d) => d.kind,
      cell: (d) => enumLabel(t, 'docKind', d.kind),
    },
    {
      key: 'number',
      header: t('admin.document.numberSymbol'),
      cell: (d) => [d.number, d.symbol].filter(Boolean).join('/') || '–',
    },
    {
      key: 'date',
      header: t('admin.document.date'),
      sort: (d) => d.date,
      cell: (d) => formatDate(lang, d.date),
    },
    { key: 'issuer', header: t('admin.document.issuer'), cell: (d) => d.issuer ?? '–' },
  ];
  return (
    <>
      <PageHeader
        title={t('admin.documents.title')}
        crumbs={adminCrumbs(t)}
        lead={<p>{t('admin.documents.lead')}</p>}
        actions={
          <Link className="btn btn-primary" to="/admin/documents/new">
            {t('admin.documents.new')}
          </Link>
        }
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: list.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('admin.documents.search')} />
            <SelectField
              label={t('admin.document.kind')}
              value={kind}
              onChange={setKind}
              allLabel={t('common.all')}
              options={kinds.map((k) => ({ value: k, label: enumLabel(t, 'docKind', k) }))}
            />
          </FilterBar>
          <Table
            caption={t('admin.documents.title')}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(d) => d.code}
            initialSort={{ key: 'date', dir: 'desc' }}
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
      <DocumentsAdmin />
    </RequireAdmin>
  );
}
