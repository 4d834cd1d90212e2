/** Entry of the web application. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { overviewQuery } from './features/overview/progress.ts';
import { I18nProvider, loadLanguage, storedLang } from './i18n/i18n.tsx';
import { SessionProvider } from './lib/session.tsx';
import { prefetch } from './lib/useApi.ts';
import { createRouter } from './routes/router.tsx';
import './styles.css';

// The overview (the landing page) reads one answer: ask for it now, while the page's code loads.
if (window.location.pathname === '/') {
  prefetch('/api/progress/overview', overviewQuery(new URLSearchParams(window.location.search)));
}
const router = createRouter();
const root = document.getElementById('root');
// English is fetched before the first render when the reader chose it (Vietnamese is in the bundle).
const lang = storedLang();
if (root) {
  (lang === 'vi' ? Promise.resolve() : loadLanguage(lang)).finally(() =>
    createRoot(root).render(
      <StrictMode>
        <I18nProvider>
          <SessionProvider>
            <RouterProvider router={router} />
          </SessionProvider>
        </I18nProvider>
      </StrictMode>,
    ),
  );
}
