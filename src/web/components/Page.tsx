/** The head of every page: breadcrumbs, the title (focused after navigation), a lead paragraph. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useT } from '../i18n/i18n.tsx';

export interface Crumb {
  to: string;
  label: string;
}

export function PageHeader({
  title,
  crumbs = [],
  lead,
  actions,
  kicker,
}: {
  title: string;
  crumbs?: Crumb[];
  lead?: ReactNode;
  actions?: ReactNode;
  kicker?: ReactNode;
}) {
  const t = useT();
  return (
    <header className="page-header">
      <title>{`${title} · chiso`}</title>
      {crumbs.length > 0 && (
        <nav aria-label={t('nav.breadcrumbs')} className="breadcrumbs">
          <ol>
            {crumbs.map((c) => (
              <li key={c.to}>
                <Link to={c.to}>{c.label}</Link>
              </li>
            ))}
            <li aria-current="page">{title}</li>
          </ol>
        </nav>
      )}
      <div className="page-title-row">
        <div>
          {kicker && <p className="kicker">{kicker}</p>}
          <h1 tabIndex={-1}>{title}</h1>
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {lead && <div className="lead">{lead}</div>}
    </header>
  );
}

/** A titled section of a page, labelled by its heading. */
export function Section({
  id,
  title,
  children,
  actions,
  className,
}: {
  id: string;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section className={`section ${className ?? ''}`.trim()} aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {actions && <div className="section-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
