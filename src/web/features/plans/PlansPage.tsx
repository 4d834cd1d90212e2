/** Plans (public): each plan with how many of its tasks are in each status. */
import { Link } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatDate } from '../../lib/format.ts';
import type { ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import type { Plan } from './types.ts';

export function Component() {
  const { t, lang } = useI18n();
  const list = useApi<ListOf<Plan>>('/api/plans', { limit: 200 });
  return (
    <>
      <PageHeader
        title={t('plans.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('plans.lead')}</p>}
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.items.length === 0 && <Empty>{t('plans.none')}</Empty>}
      {list.data && (
        <ul className="cards">
          {list.data.items.map((p) => (
            <li key={p.code} className="card">
              <p className="kicker">{p.code}</p>
              <h2>
                <Link to={`/plans/${encodeURIComponent(p.code)}`}>{pick(lang, p.title_vi, p.title_en)}</Link>
              </h2>
              <p className="muted small">
                {[p.issuer, p.issued_on ? formatDate(lang, p.issued_on) : null].filter(Boolean).join(' · ')}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
