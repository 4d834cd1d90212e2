/**
 * Entry of the web application: small, it starts the application in steps, each in a task of its
 * own, so that no step holds the browser for long (a phone's CPU is several times slower than a
 * desktop's): the strings and the API client (boot.ts); the page's embedded data and the landing
 * page's request; the reader's language (its first read of localStorage); React's DOM renderer;
 * the routes (router.tsx, with the router's library and the pages' frame); the application
 * (app.tsx: translations, session), which then loads the first page's code and renders or
 * hydrates in a transition that React cuts into short tasks. index.html
 * preloads every step's files (vite.config.ts), so that no step waits for a request of its own; a
 * page the server rendered (src/http/web.ts) names them instead, and they are fetched once the
 * browser has painted it.
 */
import './styles.css';

/** Resolves in a new task: the browser paints and handles input between two steps. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Resolves once the browser has painted the server's HTML — its first contentful paint, or after 3 s
 * without one — and at once for a page it did not render, or one not visible.
 */
function afterFirstPaint(root: HTMLElement): Promise<void> {
  if (
    root.dataset.ssr !== '1' ||
    document.visibilityState !== 'visible' ||
    typeof PerformanceObserver === 'undefined'
  )
    return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      observer.disconnect();
      clearTimeout(fallback);
      setTimeout(resolve, 0);
    };
    const observer = new PerformanceObserver((list) => {
      if (list.getEntriesByName('first-contentful-paint').length > 0) go();
    });
    const fallback = setTimeout(go, 3000);
    try {
      observer.observe({ type: 'paint', buffered: true });
    } catch {
      go();
    }
  });
}

/**
 * Preloads the files a page rendered by the server names in <meta name="chiso-preload">, a few per
 * task (each preload starts a request, which costs the main thread too).
 */
async function preloadNamed(): Promise<void> {
  const named = document.querySelector<HTMLMetaElement>('meta[name="chiso-preload"]')?.content ?? '';
  const present = new Set([...document.querySelectorAll<HTMLLinkElement>('link')].map((l) => l.href));
  let inTask = 0;
  for (const href of named.split(' ')) {
    if (!href || present.has(new URL(href, document.baseURI).href)) continue;
    if (inTask === 6) {
      await nextTask();
      inTask = 0;
    }
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    document.head.append(link);
    inTask++;
  }
}

async function start(root: HTMLElement): Promise<void> {
  await afterFirstPaint(root);
  void preloadNamed();
  await nextTask();
  const boot = await import('./boot.ts');
  await nextTask();
  boot.seedPage();
  await nextTask();
  // the reader's language (and `?lang=` taken out of the address before the router reads it)
  const lang = boot.activeLang();
  await nextTask();
  const dom = await import('react-dom/client');
  await nextTask();
  await import('./routes/router.tsx');
  await nextTask();
  const { startApp } = await import('./app.tsx');
  await nextTask();
  await startApp({ root, dom, lang, nextTask });
}

const root = document.getElementById('root');
if (root) void start(root);
