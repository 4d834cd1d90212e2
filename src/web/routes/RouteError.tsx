/** Shown when a page fails to load (a lost chunk after a new release, an exception while rendering). */
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { useT } from '../i18n/i18n.tsx';

export function RouteError() {
  const t = useT();
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <div className="page-error" role="alert">
      <title>{`${notFound ? t('notFound.title') : t('routeError.title')} · chiso`}</title>
      <h1 tabIndex={-1}>{notFound ? t('notFound.title') : t('routeError.title')}</h1>
      <p>{notFound ? t('notFound.body') : t('routeError.body')}</p>
      <p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          {t('routeError.reload')}
        </button>{' '}
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
