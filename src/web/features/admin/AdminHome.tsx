/** The administration home (/admin): one card per section, with what it is for. */
import { Link } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { type Key, useI18n } from '../../i18n/i18n.tsx';
import { RequireAdmin } from './form.tsx';

const SECTIONS: Array<{ to: string; title: Key; text: Key }> = [
  { to: '/admin/indicators', title: 'admin.home.indicators', text: 'admin.home.indicatorsText' },
  { to: '/admin/groups', title: 'admin.home.groups', text: 'admin.home.groupsText' },
  { to: '/admin/targets', title: 'admin.home.targets', text: 'admin.home.targetsText' },
  { to: '/admin/documents', title: 'admin.home.documents', text: 'admin.home.documentsText' },
  { to: '/admin/units', title: 'admin.home.units', text: 'admin.home.unitsText' },
  {
    to: '/admin/reorganisations',
    title: 'admin.home.reorganisations',
    text: 'admin.home.reorganisationsText',
  },
  { to: '/admin/rounds', title: 'admin.home.rounds', text: 'admin.home.roundsText' },
  { to: '/admin/methodology', title: 'admin.home.methodology', text: 'admin.home.methodologyText' },
  { to: '/admin/users', title: 'admin.home.users', text: 'admin.home.usersText' },
];

export function Component() {
  const { t } = useI18n();
  return (
    <RequireAdmin>
      <PageHeader
        title={t('admin.title')}
        crumbs={[{ to: '/', label: t('nav.home') }]}
        lead={<p>{t('admin.lead')}</p>}
      />
      <ul className="cards admin-cards">
        {SECTIONS.map((s) => (
          <li key={s.to} className="card">
            <h2>
              <Link to={s.to}>{t(s.title)}</Link>
            </h2>
            <p className="muted small">{t(s.text)}</p>
          </li>
        ))}
      </ul>
    </RequireAdmin>
  );
}
