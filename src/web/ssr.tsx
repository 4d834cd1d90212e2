/**
 * The server's rendering of a public page (src/http/web.ts): the same components as the browser,
 * in Vietnamese, signed out, with the page's data given (`seed`), to HTML that the browser shows
 * before its code has loaded and then hydrates (main.tsx). Used for the overview, the landing page.
 */
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router';
import { overviewQuery } from './features/overview/progress.ts';
import { I18nProvider } from './i18n/i18n.tsx';
import { apiUrl } from './lib/api.ts';
import { SessionProvider } from './lib/session.tsx';
import { seed } from './lib/useApi.ts';
import { appRoutes } from './routes/router.tsx';

const handler = createStaticHandler(appRoutes());

/**
 * The API answers a page rendered on the server reads first, by their URL exactly as the page asks
 * for them (useApi's key); null for a page the server does not render. Only the overview (`/`).
 */
export function pageData(path: string, search: URLSearchParams): string[] | null {
  if (path !== '/') return null;
  return [apiUrl('/api/progress/overview', overviewQuery(search))];
}

/**
 * The HTML of the page at `url` (path and query) rendered with the API answers in `data` (keyed by
 * their URL as the page asks for them), or null when the route answers otherwise (a redirect).
 */
export async function renderPage(url: string, data: Record<string, unknown>): Promise<string | null> {
  const context = await handler.query(new Request(new URL(url, 'http://localhost')));
  if (context instanceof Response) return null;
  const router = createStaticRouter(handler.dataRoutes, context);
  // rendering is synchronous: the answers seeded here are the ones this render reads
  for (const [k, v] of Object.entries(data)) seed(k, v);
  return renderToString(
    <StrictMode>
      <I18nProvider initial="vi">
        <SessionProvider>
          <StaticRouterProvider router={router} context={context} hydrate={false} />
        </SessionProvider>
      </I18nProvider>
    </StrictMode>,
  );
}
