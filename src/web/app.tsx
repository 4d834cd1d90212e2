/**
 * The application, started by main.tsx once React's DOM renderer is there: the router, the
 * translations and the session around the pages. The server's HTML (the overview, in Vietnamese) is
 * hydrated in place; any other page is rendered here. Both in a transition, so that React cuts the
 * work into short tasks and the page stays responsive.
 */
import { StrictMode, startTransition } from 'react';
import type * as ReactDomClient from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { I18nProvider, type Lang, loadLanguage } from './i18n/i18n.tsx';
import { SessionProvider } from './lib/session.tsx';
import { createRouter } from './routes/router.tsx';

type Router = ReturnType<typeof createRouter>;

/** Resolves once the router has loaded the first page's code (its lazy route). */
const routerReady = (router: Router) =>
  new Promise<void>((resolve) => {
    if (router.state.initialized) return resolve();
    const stop = router.subscribe((s) => {
      if (s.initialized) {
        stop();
        resolve();
      }
    });
  });

export async function startApp({
  root,
  dom,
  lang,
  nextTask,
}: {
  root: HTMLElement;
  dom: typeof ReactDomClient;
  lang: Lang;
  nextTask: () => Promise<void>;
}): Promise<void> {
  const router = createRouter();
  const app = (
    <StrictMode>
      <I18nProvider initial={lang}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </I18nProvider>
    </StrictMode>
  );
  // The server renders in Vietnamese: its HTML is hydrated for a Vietnamese reader, once the first
  // page's code is there. English is fetched before the first render when the reader chose it.
  const hydrate = root.dataset.ssr === '1' && lang === 'vi';
  await Promise.all([lang === 'vi' ? null : loadLanguage(lang), hydrate ? routerReady(router) : null]).catch(
    () => {},
  );
  await nextTask();
  startTransition(() => {
    if (hydrate) dom.hydrateRoot(root, app);
    else dom.createRoot(root).render(app);
  });
}
