import { Link } from 'react-router';
import { PageHeader } from '../components/Page.tsx';
import { useT } from '../i18n/i18n.tsx';

export function Component() {
  const t = useT();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
