/** Open data (public): every list of the catalogue as CSV, and the API description. */
import { PageHeader } from '../../components/Page.tsx';
import { type Key, useT } from '../../i18n/i18n.tsx';

const FILES: Array<{ href: string; title: Key; body: Key }> = [
  { href: '/api/indicators.csv', title: 'openData.indicators', body: 'openData.indicatorsBody' },
  { href: '/api/targets.csv', title: 'openData.targets', body: 'openData.targetsBody' },
  { href: '/api/values.csv', title: 'openData.values', body: 'openData.valuesBody' },
  { href: '/api/org-units.csv', title: 'openData.units', body: 'openData.unitsBody' },
  { href: '/api/documents.csv', title: 'openData.documents', body: 'openData.documentsBody' },
];

export function Component() {
  const t = useT();
  return (
    <>
      <PageHeader
        title={t('openData.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('openData.lead')}</p>}
      />
      <ul className="cards">
        {FILES.map((f) => (
          <li key={f.href} className="card">
            <h2>{t(f.title)}</h2>
            <p>{t(f.body)}</p>
            <p>
              <a className="btn btn-secondary" href={f.href} download>
                {t('common.downloadCsv')}
              </a>{' '}
              <code className="small">{f.href}</code>
            </p>
          </li>
        ))}
        <li className="card">
          <h2>{t('openData.api')}</h2>
          <p>{t('openData.apiBody')}</p>
          <p>
            <a className="btn btn-secondary" href="/api/openapi.json">
              {t('openData.apiLink')}
            </a>
          </p>
        </li>
      </ul>
      <p className="muted small">{t('openData.csvNote')}</p>
    </>
  );
}
