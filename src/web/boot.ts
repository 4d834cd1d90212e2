/**
 * The first step of the application's start (main.tsx): the strings and the API client; then, in a
 * task of its own, the answers the server rendered the page from and the landing page's one
 * request (`seedPage`), and the reader's language (`activeLang`).
 */
import { overviewQuery } from './features/overview/progress.ts';
import { prefetch, seed } from './lib/useApi.ts';

export { activeLang } from './i18n/i18n.tsx';

export function seedPage(): void {
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
}
