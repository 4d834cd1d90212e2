/**
 * Clicks before hydration. The overview arrives rendered by the server (web.ts) and its code runs
 * only after the first paint, in steps (src/web/main.tsx): on a slow phone a reader can press a
 * sort button, "show more" or the menu seconds before React owns those buttons, and the click would
 * be lost. This small script, inlined at the top of the rendered page (the content security policy
 * allows it by its hash, nothing else inline), holds each click on a button of the rendered page
 * in `window.__chisoClicks`; the application replays them in order once the page is hydrated
 * (src/web/lib/early-clicks.ts). Links, form fields (components/Fields.tsx) and <details> work
 * without it. Once the application has taken the queue (the global no longer holds it) the
 * listener lets every click through.
 */
import { createHash } from 'node:crypto';

export const EARLY_CLICKS_SCRIPT =
  "(function(){var q=[];window.__chisoClicks=q;document.addEventListener('click',function(e){" +
  'if(window.__chisoClicks!==q)return;var t=e.target;' +
  "var b=t&&t.closest?t.closest('#root[data-ssr] button'):null;" +
  'if(!b||b.disabled)return;e.preventDefault();e.stopPropagation();q.push(b);},true);})();';

/** The script's hash as the content security policy names it ('sha256-…'). */
export const EARLY_CLICKS_CSP = `'sha256-${createHash('sha256').update(EARLY_CLICKS_SCRIPT).digest('base64')}'`;
