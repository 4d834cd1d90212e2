/** Entry of the web application. */
import { StrictMode, startTransition } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { overviewQuery } from './features/overview/progress.ts';
import { I18nProvider, loadLanguage, storedLang } from './i18n/i18n.tsx';
import { SessionProvider } from './lib/session.tsx';
import { prefetch, seed } from './lib/useApi.ts';
import { createRouter } from './routes/router.tsx';
import './styles.css';

// The answers a page rendered by the server was rendered from (src/http/web.ts): read, not asked again.
const embedded = document.getElementById('chiso-data');
if (embedded?.textContent) {
  try {
    for (const [url, value] of Object.entries(JSON.parse(embedded.textContent) as Record<string, unknown>))
      seed(url, value);
  } catch {
    // a broken block only costs the request
  }
}
// The overview (the landing page) reads one answer: ask for it now, while the page's code loads.
if (window.location.pathname === '/') {
  prefetch('/api/progress/overview', overviewQuery(new URLSearchParams(window.location.search)));
}
const router = createRouter();
const root = document.getElementById('root');
// English is fetched before the first render when the reader chose it (Vietnamese is in the bundle).
const lang = storedLang();

/** Resolves once the router has loaded the first page's code (its lazy route). */
const routerReady = () =>
  new Promise<void>((resolve) => {
    if (router.state.initialized) return resolve();
    const stop = router.subscribe((s) => {
      if (s.initialized) {
        stop();
        resolve();
      }
    });
  });

if (root) {
  const app = (
    <StrictMode>
      <I18nProvider>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </I18nProvider>
    </StrictMode>
  );
  // The server's HTML (in Vietnamese) is hydrated in place; otherwise the page is rendered here. Both
  // in a transition, so that the work is cut into short tasks and the page stays responsive.
  const hydrate = root.dataset.ssr === '1' && lang === 'vi';
  Promise.all([lang === 'vi' ? null : loadLanguage(lang), hydrate ? routerReady() : null])
    .catch(() => {})
    .finally(() =>
      startTransition(() => {
        if (hydrate) hydrateRoot(root, app);
        else createRoot(root).render(app);
      }),
    );
}
