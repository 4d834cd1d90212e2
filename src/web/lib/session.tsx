/**
 * Who is signed in: GET /api/auth/me (its CSRF token is then sent with every write), login with a
 * username and password, logout. A public visitor never signed in costs no request: the app asks
 * only when this browser signed in before (a flag in localStorage, never a secret).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api.ts';
import { invalidate } from './useApi.ts';

export type RoleName = 'admin' | 'reviewer' | 'reporter' | 'viewer';

export interface Grant {
  id: number;
  role: RoleName;
  org_unit: string | null;
  org_unit_name_vi: string | null;
  path: string;
}

export interface Me {
  user: {
    id: number;
    username: string;
    display_name: string;
    email: string | null;
    grants: Grant[];
    /** The password is temporary (set by an administrator): it must be changed before anything else. */
    must_change_password: boolean;
  };
  auth: 'session' | 'token';
  csrf_token: string | null;
}

const FLAG = 'chiso.signedIn';
const flag = {
  get: () => {
    try {
      return globalThis.localStorage?.getItem(FLAG) === '1';
    } catch {
      return false;
    }
  },
  set: (on: boolean) => {
    try {
      if (on) globalThis.localStorage?.setItem(FLAG, '1');
      else globalThis.localStorage?.removeItem(FLAG);
    } catch {
      // private mode
    }
  },
};

interface Session {
  me: Me | null;
  /** True until the first answer of /api/auth/me (when one is asked). */
  checking: boolean;
  login(username: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  /**
   * Changes my password (POST /api/auth/password); the session gets a new id and CSRF token and
   * who I am is read again (a temporary password is no longer one).
   */
  changePassword(current: string, next: string): Promise<Me>;
  /** True when the user holds the role (or one that includes it) somewhere. */
  can(role: RoleName): boolean;
}

const INCLUDED_BY: Record<RoleName, RoleName[]> = {
  admin: ['admin'],
  reviewer: ['admin', 'reviewer'],
  reporter: ['admin', 'reporter'],
  viewer: ['admin', 'reviewer', 'reporter', 'viewer'],
};

const SessionContext = createContext<Session>({
  me: null,
  checking: false,
  login: () => Promise.reject(new Error('no session provider')),
  logout: () => Promise.resolve(),
  changePassword: () => Promise.reject(new Error('no session provider')),
  can: () => false,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(flag.get());

  useEffect(() => {
    if (!flag.get()) return;
    let live = true;
    api.get<Me>('/api/auth/me').then(
      (m) => {
        if (!live) return;
        setCsrfToken(m.csrf_token);
        setMe(m);
        setChecking(false);
      },
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) flag.set(false);
        setChecking(false);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const m = await api.post<Me>('/api/auth/login', { username, password });
    setCsrfToken(m.csrf_token);
    flag.set(true);
    invalidate();
    setMe(m);
    return m;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    } finally {
      setCsrfToken(null);
      flag.set(false);
      invalidate();
      setMe(null);
    }
  }, []);

  const changePassword = useCallback(async (current: string, next: string) => {
    const r = await api.post<{ changed: boolean; csrf_token: string | null }>('/api/auth/password', {
      current_password: current,
      new_password: next,
    });
    if (r.csrf_token) setCsrfToken(r.csrf_token);
    const m = await api.get<Me>('/api/auth/me');
    setCsrfToken(m.csrf_token);
    invalidate();
    setMe(m);
    return m;
  }, []);

  const can = useCallback(
    (role: RoleName) => Boolean(me?.user.grants.some((g) => INCLUDED_BY[role].includes(g.role))),
    [me],
  );

  const value = useMemo(
    () => ({ me, checking, login, logout, changePassword, can }),
    [me, checking, login, logout, changePassword, can],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export const useSession = (): Session => useContext(SessionContext);
