/** The composite indexes (public): each methodology with the years that have results. */
import { Link } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { useApi } from '../../lib/useApi.ts';
import type { Methodology } from './types.ts';

export function Component() {
  const { t, lang } = useI18n();
  const list = useApi<{ items: Methodology[] }>('/api/index/methodologies');
  const levelName = useNames(useLevels(), lang);
  return (
    <>
      <PageHeader
        title={t('ranking.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('ranking.lead')}</p>}
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty>{t('ranking.none')}</Empty>}
      {list.data && (
        <ul className="cards">
          {list.data.items.map((m) => (
            <li key={m.id} className="card">
              <h2>
                <Link to={`/rankings/${encodeURIComponent(m.code)}`}>{pick(lang, m.name_vi, m.name_en)}</Link>
              </h2>
              <p className="muted small">
                {t('ranking.cardMeta', {
                  levels: m.levels.map((l) => levelName(l)).join(', '),
                  years: m.years.join(', ') || '–',
                  version: m.version,
                })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
