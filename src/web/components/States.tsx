/** Loading, error and empty states, announced to screen readers. */
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { ApiError } from '../lib/api.ts';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t, lang } = useI18n();
  const items = error.items;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{error.status === 404 ? t('common.notFound') : t('common.error')}</strong> {error.text(lang)}
      </p>
      {items.length > 1 && (
        <ul>
          {items.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the server's order is the only identity
            <li key={i}>{lang === 'en' ? e.en : e.vi}</li>
          ))}
        </ul>
      )}
      {onRetry && error.status !== 404 && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}
