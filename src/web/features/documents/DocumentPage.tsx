/** One source document (public): what it is, and the targets and indicators that cite it. */
import { Link, useParams } from 'react-router';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel, formatTarget } from '../../lib/catalogue.ts';
import { formatDate, formatPeriod } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { Indicator, ListOf, SourceDocument, Target } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';

export function Component() {
  const { t, lang } = useI18n();
  const code = useParams().code ?? '';
  const doc = useApi<SourceDocument>(`/api/documents/${encodeURIComponent(code)}`);
  const targets = useApi<ListOf<Target>>('/api/targets', { source_document: code, limit: 1000 });
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  if (doc.error) {
    return (
      <>
        <PageHeader title={code} crumbs={[{ to: '/documents', label: t('nav.documents') }]} />
        <ErrorBox error={doc.error} onRetry={doc.reload} />
      </>
    );
  }
  if (!doc.data) return <Loading />;
  const d = doc.data;
  const defined = (indicators.data?.items ?? []).filter((i) => i.source_document === d.code);
  return (
    <>
      <PageHeader
        kicker={enumLabel(t, 'docKind', d.kind)}
        title={pick(lang, d.title_vi, d.title_en)}
        crumbs={[
          { to: '/', label: t('nav.home') },
          { to: '/documents', label: t('nav.documents') },
        ]}
      />
      <dl className="meta">
        <dt>{t('document.code')}</dt>
        <dd className="code">{d.code}</dd>
        {d.issuer && (
          <>
            <dt>{t('documents.col.issuer')}</dt>
            <dd>{d.issuer}</dd>
          </>
        )}
        {d.date && (
          <>
            <dt>{t('documents.col.date')}</dt>
            <dd>{formatDate(lang, d.date)}</dd>
          </>
        )}
        {d.url && (
          <>
            <dt>{t('document.link')}</dt>
            <dd>
              <a href={d.url} rel="noopener noreferrer">
                {d.url}
              </a>
            </dd>
          </>
        )}
        {d.note && (
          <>
            <dt>{t('document.note')}</dt>
            <dd lang="en">{d.note}</dd>
          </>
        )}
      </dl>
      <Section id="targets" title={t('document.targetsTitle')}>
        {targets.error && <ErrorBox error={targets.error} onRetry={targets.reload} />}
        {targets.data &&
          (targets.data.items.length === 0 ? (
            <Empty>{t('document.noTargets')}</Empty>
          ) : (
            <ul className="sources">
              {targets.data.items.map((x) => (
                <li key={x.id}>
                  <p className="source-title">
                    <Link to={paths.indicator(x.indicator_code)}>
                      <span className="code">{x.indicator_code}</span>{' '}
                      {pick(lang, x.indicator_name_vi, x.indicator_name_en)}
                    </Link>
                  </p>
                  <p>
                    <strong>{formatTarget(lang, x)}</strong> · {formatPeriod(lang, x.period)}
                  </p>
                  {x.quote && <blockquote lang="vi">{x.quote}</blockquote>}
                </li>
              ))}
            </ul>
          ))}
      </Section>
      {defined.length > 0 && (
        <Section id="indicators" title={t('document.indicatorsTitle')}>
          <Table
            caption={t('document.indicatorsTitle')}
            captionHidden
            rows={defined}
            rowKey={(i) => i.code}
            columns={[
              {
                key: 'code',
                header: t('indicators.col.code'),
                cell: (i) => <span className="code">{i.code}</span>,
              },
              {
                key: 'name',
                header: t('indicators.col.name'),
                rowHeader: true,
                cell: (i) => <Link to={paths.indicator(i.code)}>{pick(lang, i.name_vi, i.name_en)}</Link>,
              },
            ]}
          />
        </Section>
      )}
    </>
  );
}
