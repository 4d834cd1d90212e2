/**
 * The shell of every page: skip link, header with the programme's navigation and the language
 * switch, the main landmark, the footer. After each navigation the new page's title gets focus so
 * screen-reader and keyboard users start at the top of what changed.
 */
import { useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import { PasswordChangeGate } from '../features/auth/PasswordChangeGate.tsx';
import { type Key, useI18n } from '../i18n/i18n.tsx';
import { replayEarlyClicks } from '../lib/early-clicks.ts';
import { useSession } from '../lib/session.tsx';

const NAV: Array<{ to: string; key: Key; end?: boolean }> = [
  { to: '/', key: 'nav.overview', end: true },
  { to: '/indicators', key: 'nav.indicators' },
  { to: '/units', key: 'nav.units' },
  { to: '/rankings', key: 'nav.rankings' },
  { to: '/plans', key: 'nav.plans' },
  { to: '/documents', key: 'nav.documents' },
  { to: '/data', key: 'nav.openData' },
];

/**
 * A link to the same page in the other language, which works before the page's code has run (the
 * overview arrives rendered by the server: a click there must not be lost); once the code runs the
 * switch happens in place.
 */
function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const { pathname, search, hash } = useLocation();
  const other = lang === 'vi' ? 'en' : 'vi';
  const query = new URLSearchParams(search);
  query.set('lang', other);
  return (
    <a
      href={`${pathname}?${query.toString()}${hash}`}
      className="lang-switch"
      hrefLang={other}
      lang={other}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        setLang(other);
      }}
      aria-label={t('nav.switchLanguageLabel')}
    >
      {t('nav.switchLanguage')}
    </a>
  );
}

function Account() {
  const { t } = useI18n();
  const { me, logout } = useSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  if (!me) {
    return pathname === '/login' ? null : (
      <Link className="account-link" to={`/login?next=${encodeURIComponent(pathname)}`}>
        {t('nav.login')}
      </Link>
    );
  }
  return (
    <div className="account">
      <span className="account-name">{me.user.display_name || me.user.username}</span>
      <Link className="account-link" to="/account/password">
        {t('account.password.link')}
      </Link>
      <button
        type="button"
        className="account-link"
        onClick={async () => {
          await logout();
          navigate('/');
        }}
      >
        {t('nav.logout')}
      </button>
    </div>
  );
}

function useFocusOnNavigate() {
  const { pathname } = useLocation();
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return; // the first page, or the same page with other parameters
    shown.current = pathname;
    // the new page may still be loading its data: wait for its title
    let tries = 0;
    const timer = setInterval(() => {
      const h1 = document.querySelector<HTMLElement>('main h1');
      if (h1 || ++tries > 40) {
        clearInterval(timer);
        h1?.focus({ preventScroll: false });
      }
    }, 50);
    return () => clearInterval(timer);
  }, [pathname]);
}

export function Root() {
  const { t } = useI18n();
  const navigation = useNavigation();
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const { me, can } = useSession();
  const nav = me
    ? [
        ...NAV,
        { to: '/workspace', key: 'nav.workspace' as Key },
        ...(can('admin') ? [{ to: '/admin', key: 'admin.nav' as Key }] : []),
      ]
    : NAV;
  useFocusOnNavigate();
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the phone menu after each navigation
  useEffect(() => setMenuOpen(false), [pathname]);
  // clicks on the server-rendered page's buttons before this ran, now that React owns them
  useEffect(() => {
    const replay = setTimeout(replayEarlyClicks, 0);
    return () => clearTimeout(replay);
  }, []);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="site-band" />
        <div className="container header-inner">
          <NavLink to="/" className="brand">
            <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <path
                d="M7 22l6-7 5 4 7-9"
                stroke="#fff"
                strokeWidth="3"
                fill="none"
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
            <span className="brand-text">
              <span className="brand-name">{t('app.name')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </span>
          </NavLink>
          <div className="header-tools">
            <div className="account-slot">
              <Account />
            </div>
            <LanguageSwitch />
            <button
              type="button"
              className="menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="site-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              <span className="menu-icon" aria-hidden="true" />
              {t('nav.menu')}
            </button>
          </div>
        </div>
        <nav id="site-nav" aria-label={t('nav.main')} className={menuOpen ? 'site-nav open' : 'site-nav'}>
          <ul className="container">
            {nav.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to} end={n.end ?? false}>
                  {t(n.key)}
                </NavLink>
              </li>
            ))}
            <li className="nav-account">
              <Account />
            </li>
          </ul>
        </nav>
        {navigation.state === 'loading' && <div className="route-progress" role="presentation" />}
      </header>
      <main id="main" tabIndex={-1} className="container">
        <PasswordChangeGate>
          <Outlet />
        </PasswordChangeGate>
      </main>
      <footer className="site-footer">
        <div className="container footer-inner">
          <p>{t('footer.about')}</p>
          <p>
            <a href="/api/openapi.json">{t('footer.api')}</a>
            <span aria-hidden="true"> · </span>
            <NavLink to="/data">{t('footer.openData')}</NavLink>
          </p>
        </div>
      </footer>
    </>
  );
}
