/**
 * A signed-in user whose password is temporary (set by an administrator) sees nothing but the
 * change-password page until it is changed: every other page sends them there, with the page they
 * asked for as `?next=` so that they go on to it afterwards. The server refuses their other requests
 * anyway (403 auth.password_change_required); this spares them the errors.
 */
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../../lib/session.tsx';

export const PASSWORD_PAGE = '/account/password';

export function PasswordChangeGate({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const loc = useLocation();
  if (me?.user.must_change_password && loc.pathname !== PASSWORD_PAGE) {
    const next =
      loc.pathname === '/login'
        ? (new URLSearchParams(loc.search).get('next') ?? '')
        : loc.pathname + loc.search;
    return <Navigate to={`${PASSWORD_PAGE}?next=${encodeURIComponent(next || '/workspace')}`} replace />;
  }
  return <>{children}</>;
}
