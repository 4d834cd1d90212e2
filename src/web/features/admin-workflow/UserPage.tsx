/**
 * One user (/admin/users/:username): state and details; disable (with a reason) or enable, lift a
 * lockout, set a temporary password; the roles granted on unit subtrees (grant, revoke — each
 * audited by the server) with their history; the user's API tokens (revoke).
 */
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useSession } from '../../lib/session.tsx';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  ActionError,
  fieldErrors,
  RequireAdmin,
  TextField,
  UnitPicker,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import { type ApiToken, ROLES, type UserDetail } from './types.ts';
import { UserState } from './UsersPage.tsx';

function Account({ user, onChanged }: { user: UserDetail; onChanged(): void }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const self = me?.user.username === user.username;
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const state = useAction();
  const pw = useAction();
  const changed = (msg: string) => {
    setDone(msg);
    invalidate('/api/auth/users');
    onChanged();
  };
  const disable = async (e: FormEvent) => {
    e.preventDefault();
    const out = await state.run(() =>
      api.post(`/api/auth/users/${encodeURIComponent(user.username)}/disable`, { reason: reason.trim() }),
    );
    if (out) {
      setReason('');
      changed(t('adminWf.user.disabledDone'));
    }
  };
  const enable = async () => {
    if (await state.run(() => api.post(`/api/auth/users/${encodeURIComponent(user.username)}/enable`)))
      changed(t('adminWf.user.enabledDone'));
  };
  const unlock = async () => {
    if (await state.run(() => api.post(`/api/auth/users/${encodeURIComponent(user.username)}/unlock`)))
      changed(t('adminWf.user.unlockedDone'));
  };
  const reset = async (e: FormEvent) => {
    e.preventDefault();
    const out = await pw.run(() =>
      api.post(`/api/auth/users/${encodeURIComponent(user.username)}/password`, { password }),
    );
    if (out) {
      setPassword('');
      changed(t('adminWf.user.passwordDone'));
    }
  };
  return (
    <Section id="account" title={t('adminWf.user.account')}>
      {done && (
        <div className="notice notice-success" role="status">
          <p>{done}</p>
        </div>
      )}
      <dl className="meta">
        <dt>{t('adminWf.users.col.state')}</dt>
        <dd>
          <UserState user={user} />
        </dd>
        <dt>{t('adminWf.users.email')}</dt>
        <dd>{user.email ?? '–'}</dd>
        <dt>{t('adminWf.user.signIn')}</dt>
        <dd>
          {[user.has_password ? t('adminWf.user.password') : '', user.sso ? t('adminWf.user.sso') : '']
            .filter(Boolean)
            .join(', ') || '–'}
        </dd>
        <dt>{t('adminWf.users.col.lastLogin')}</dt>
        <dd>{user.last_login_at ? formatDateTime(lang, user.last_login_at) : '–'}</dd>
      </dl>
      <ActionError error={state.error} fields={['reason']} />
      {user.disabled ? (
        <div className="form-actions">
          <button type="button" className="btn btn-primary" disabled={state.busy} onClick={enable}>
            {t('adminWf.user.enable')}
          </button>
        </div>
      ) : (
        !self && (
          <form className="form-row align-end" onSubmit={disable} noValidate>
            <TextField
              label={t('adminWf.user.disableReason')}
              value={reason}
              onChange={setReason}
              errors={fieldErrors(state.error, lang, 'reason')}
            />
            <button
              type="submit"
              className="btn btn-danger"
              disabled={state.busy || reason.trim().length < 3}
            >
              {t('adminWf.user.disable')}
            </button>
          </form>
        )
      )}
      {user.locked && (
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" disabled={state.busy} onClick={unlock}>
            {t('adminWf.user.unlock')}
          </button>
        </div>
      )}
      {!self && (
        <form className="form-row align-end" onSubmit={reset} noValidate>
          <TextField
            label={t('adminWf.user.newPassword')}
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            errors={fieldErrors(pw.error, lang, 'password')}
            help={t('adminWf.user.newPasswordHelp')}
          />
          <button type="submit" className="btn btn-secondary" disabled={pw.busy || !password}>
            {t('adminWf.user.setPassword')}
          </button>
        </form>
      )}
      <ActionError error={pw.error} fields={['password']} />
    </Section>
  );
}

function Roles({ user, onChanged }: { user: UserDetail; onChanged(): void }) {
  const { t, lang } = useI18n();
  const [role, setRole] = useState<string>('reporter');
  const [unit, setUnit] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const action = useAction();
  const grant = async (e: FormEvent) => {
    e.preventDefault();
    const out = await action.run(() =>
      api.post(`/api/auth/users/${encodeURIComponent(user.username)}/grants`, {
        role,
        org_unit: all ? null : unit,
      }),
    );
    if (out) {
      setUnit(null);
      invalidate('/api/auth/users');
      onChanged();
    }
  };
  const revoke = async (id: number) => {
    if (await action.run(() => api.post(`/api/auth/grants/${id}/revoke`))) {
      invalidate('/api/auth/users');
      onChanged();
    }
  };
  return (
    <Section id="roles" title={t('adminWf.user.roles')}>
      <ActionError error={action.error} fields={['org_unit', 'role']} />
      {user.grants.length === 0 ? (
        <p className="muted">{t('adminWf.users.noRoles')}</p>
      ) : (
        <ul className="grant-list">
          {user.grants.map((g) => (
            <li key={g.id}>
              <span>
                <strong>{t(`roles.${g.role}`)}</strong> · {g.org_unit_name_vi ?? t('workspace.everyUnit')}{' '}
                {g.org_unit && <span className="code">{g.org_unit}</span>}
              </span>
              <button
                type="button"
                className="btn btn-danger btn-small"
                disabled={action.busy}
                aria-label={t('adminWf.user.revokeNamed', {
                  role: t(`roles.${g.role}`),
                  unit: g.org_unit_name_vi ?? t('workspace.everyUnit'),
                })}
                onClick={() => revoke(g.id)}
              >
                {t('adminWf.user.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="form admin-form grant-form" onSubmit={grant} noValidate>
        <h3 className="h3">{t('adminWf.user.grant')}</h3>
        <SelectField
          label={t('adminWf.user.role')}
          value={role}
          onChange={setRole}
          options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        />
        <div className="field field-check">
          <input id="grant-all" type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          <label htmlFor="grant-all">{t('adminWf.user.everyUnit')}</label>
        </div>
        {!all && (
          <UnitPicker
            label={t('adminWf.users.roleUnit')}
            value={unit}
            onChange={(c) => setUnit(c)}
            errors={fieldErrors(action.error, lang, 'org_unit')}
          />
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || (!all && !unit)}>
            {t('adminWf.user.grantButton')}
          </button>
        </div>
      </form>
      {user.grant_history.some((g) => g.revoked_at) && (
        <details className="history">
          <summary>{t('adminWf.user.history')}</summary>
          <ul>
            {user.grant_history.map((g) => (
              <li key={g.id}>
                {t(`roles.${g.role}`)} · {g.org_unit ?? t('workspace.everyUnit')} ·{' '}
                {t('adminWf.user.granted', { at: formatDateTime(lang, g.created_at) })}
                {g.revoked_at && (
                  <> · {t('adminWf.user.revoked', { at: formatDateTime(lang, g.revoked_at) })}</>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </Section>
  );
}

function Tokens({ username }: { username: string }) {
  const { t, lang } = useI18n();
  const tokens = useApi<{ items: ApiToken[] }>(
    `/api/auth/users/${encodeURIComponent(username)}/tokens`,
    undefined,
    {
      fresh: true,
    },
  );
  const action = useAction();
  const revoke = async (id: number) => {
    if (
      await action.run(() => api.post(`/api/auth/users/${encodeURIComponent(username)}/tokens/${id}/revoke`))
    )
      tokens.reload();
  };
  const columns: Array<Column<ApiToken>> = [
    {
      key: 'name',
      header: t('adminWf.tokens.name'),
      rowHeader: true,
      cell: (k) => (
        <>
          {k.name} <span className="code">{k.prefix}…</span>
        </>
      ),
    },
    { key: 'created', header: t('adminWf.tokens.created'), cell: (k) => formatDateTime(lang, k.created_at) },
    {
      key: 'used',
      header: t('adminWf.tokens.lastUsed'),
      cell: (k) => (k.last_used_at ? formatDateTime(lang, k.last_used_at) : '–'),
    },
    {
      key: 'expires',
      header: t('adminWf.tokens.expires'),
      cell: (k) => (k.expires_at ? formatDateTime(lang, k.expires_at) : '–'),
    },
    {
      key: 'state',
      header: t('adminWf.users.col.state'),
      cell: (k) =>
        k.revoked_at ? (
          t('adminWf.tokens.revokedAt', { at: formatDateTime(lang, k.revoked_at) })
        ) : (
          <button
            type="button"
            className="btn btn-danger btn-small"
            disabled={action.busy}
            aria-label={t('adminWf.tokens.revokeNamed', { name: k.name })}
            onClick={() => revoke(k.id)}
          >
            {t('adminWf.user.revoke')}
          </button>
        ),
    },
  ];
  return (
    <Section id="tokens" title={t('adminWf.tokens.title')}>
      <ActionError error={action.error} />
      {tokens.error && <ErrorBox error={tokens.error} />}
      {tokens.data && (
        <Table
          caption={t('adminWf.tokens.title')}
          captionHidden
          columns={columns}
          rows={tokens.data.items}
          rowKey={(k) => k.id}
          empty={t('adminWf.tokens.none')}
        />
      )}
    </Section>
  );
}

function UserView({ username }: { username: string }) {
  const { t } = useI18n();
  const location = useLocation();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/users', label: t('adminWf.users.title') }];
  const user = useApi<UserDetail>(`/api/auth/users/${encodeURIComponent(username)}`, undefined, {
    fresh: true,
    keep: true,
  });
  if (user.error) return <ErrorBox error={user.error} onRetry={user.reload} />;
  if (!user.data) return <Loading />;
  const u = user.data;
  return (
    <>
      <PageHeader
        title={u.display_name || u.username}
        kicker={u.username}
        crumbs={crumbs}
        actions={<UserState user={u} />}
      />
      {(location.state as { created?: boolean } | null)?.created && (
        <div className="notice notice-success" role="status">
          <p>{t('adminWf.user.created', { username: u.username })}</p>
        </div>
      )}
      <Account user={u} onChanged={user.reload} />
      <Roles user={u} onChanged={user.reload} />
      <Tokens username={u.username} />
      <p>
        <Link to="/admin/users">{t('adminWf.back')}</Link>
      </p>
    </>
  );
}

export function Component() {
  const { username } = useParams();
  return <RequireAdmin>{username ? <UserView username={username} /> : null}</RequireAdmin>;
}
