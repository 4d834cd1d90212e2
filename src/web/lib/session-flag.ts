/** Marks that this browser is about to sign in elsewhere (single sign-on) so the app asks who it is on return. */
export function expectSession(): void {
  try {
    globalThis.localStorage?.setItem('chiso.signedIn', '1');
  } catch {
    // private mode: the user signs in again
  }
}
