/**
 * Replays the clicks a reader made on the server-rendered page's buttons before the application
 * ran (held by the inline script of src/http/early-clicks.ts), in their order, once the page is
 * hydrated: React then owns the same elements. A button the hydrated page no longer shows (or has
 * disabled) is skipped. Taking the queue also tells the script to let clicks through.
 */
export function replayEarlyClicks(): void {
  const w = window as { __chisoClicks?: HTMLElement[] };
  const held = w.__chisoClicks;
  if (!held) return;
  w.__chisoClicks = undefined;
  for (const button of held) {
    if (button.isConnected && !(button as HTMLButtonElement).disabled) button.click();
  }
}
