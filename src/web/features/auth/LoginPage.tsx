/** Signing in: username and password, or single sign-on when the installation has it. */
import { type FormEvent, useId, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ApiError } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { expectSession } from '../../lib/session-flag.ts';
import { useApi } from '../../lib/useApi.ts';

interface Providers {
  password: boolean;
  oidc: { enabled: boolean; start: string | null };
}

/** Only paths of this application: never an address elsewhere. */
const safeNext = (next: string | null) => (next && /^\/(?!\/)/.test(next) ? next : '/workspace');

export function Component() {
  const { t, lang } = useI18n();
  const { me, login } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const providers = useApi<Providers>('/api/auth/providers');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const uid = useId();

  if (me && !busy) return <Navigate to={next} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err
          : new ApiError({ code: 'client', status: 0, vi: String(err), en: String(err) }),
      );
      setBusy(false);
      setTimeout(() => errorRef.current?.focus(), 0);
    }
  };

  return (
    <div className="narrow">
      <PageHeader title={t('login.title')} lead={<p>{t('login.lead')}</p>} />
      <div className="section">
        {error && (
          <div className="state state-error" role="alert" tabIndex={-1} ref={errorRef}>
            <p>{error.text(lang)}</p>
          </div>
        )}
        <form onSubmit={onSubmit} noValidate className="form">
          <div className="field">
            <label htmlFor={`${uid}-u`}>{t('login.username')}</label>
            <input
              id={`${uid}-u`}
              name="username"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-p`}>{t('login.password')}</label>
            <input
              id={`${uid}-p`}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || !username || !password}>
              {busy ? t('login.signingIn') : t('login.submit')}
            </button>
          </div>
        </form>
        {providers.data?.oidc.enabled && providers.data.oidc.start && (
          <div className="sso">
            <p className="muted">{t('login.or')}</p>
            <a
              className="btn btn-secondary"
              href={`${providers.data.oidc.start}?return_to=${encodeURIComponent(next)}`}
              onClick={expectSession}
            >
              {t('login.sso')}
            </a>
          </div>
        )}
      </div>
    </div>
  );
}
