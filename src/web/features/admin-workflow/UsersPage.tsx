/**
 * Users (/admin/users): the accounts in the administrator's scope with their roles and state, a
 * diacritic-insensitive search, and creating a local account with a first role on a unit subtree.
 */
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CheckboxField, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/format.ts';
import type { ListOf } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  ActionError,
  fieldErrors,
  matches,
  RequireAdmin,
  TextField,
  UnitPicker,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import { ROLES, type User } from './types.ts';

export function UserState({ user }: { user: Pick<User, 'disabled' | 'locked'> }) {
  const { t } = useI18n();
  if (user.disabled) return <span className="badge badge-off_track">{t('adminWf.users.disabled')}</span>;
  if (user.locked) return <span className="badge badge-at_risk">{t('adminWf.users.locked')}</span>;
  return <span className="badge badge-on_track">{t('adminWf.users.active')}</span>;
}

function List() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const users = useApi<ListOf<User>>('/api/auth/users', { limit: 1000 }, { fresh: true });
  if (users.error) return <ErrorBox error={users.error} onRetry={users.reload} />;
  if (!users.data) return <Loading />;
  const rows = users.data.items.filter((u) =>
    matches(
      q,
      u.username,
      u.display_name,
      u.email,
      ...u.grants.map((g) => `${g.org_unit_name_vi ?? ''} ${g.org_unit ?? ''}`),
    ),
  );
  const columns: Array<Column<User>> = [
    {
      key: 'user',
      header: t('adminWf.users.col.user'),
      rowHeader: true,
      sort: (u) => u.username,
      cell: (u) => (
        <span className="indicator-name">
          <span className="code">{u.username}</span>
          <Link to={`/admin/users/${encodeURIComponent(u.username)}`}>{u.display_name || u.username}</Link>
        </span>
      ),
    },
    {
      key: 'roles',
      header: t('adminWf.users.col.roles'),
      className: 'col-wide',
      cell: (u) =>
        u.grants.length === 0 ? (
          <span className="muted">{t('adminWf.users.noRoles')}</span>
        ) : (
          <ul className="chips chips-tight">
            {u.grants.map((g) => (
              <li key={g.id} className="chip">
                {t(`roles.${g.role}`)} · {g.org_unit_name_vi ?? t('workspace.everyUnit')}
              </li>
            ))}
          </ul>
        ),
    },
    {
      key: 'state',
      header: t('adminWf.users.col.state'),
      sort: (u) => (u.disabled ? 2 : u.locked ? 1 : 0),
      cell: (u) => <UserState user={u} />,
    },
    {
      key: 'last',
      header: t('adminWf.users.col.lastLogin'),
      sort: (u) => u.last_login_at ?? '',
      cell: (u) => (u.last_login_at ? formatDateTime(lang, u.last_login_at) : '–'),
    },
  ];
  return (
    <Section id="users" title={t('adminWf.users.listTitle')}>
      <div className="filters">
        <div className="filters-fields">
          <SearchBox value={q} onChange={setQ} label={t('adminWf.users.search')} />
        </div>
        <p className="filters-count" aria-live="polite">
          {t('common.shownOf', { shown: rows.length, total: users.data.total })}
        </p>
      </div>
      <Table
        caption={t('adminWf.users.listTitle')}
        captionHidden
        columns={columns}
        rows={rows}
        rowKey={(u) => u.id}
        limit={100}
      />
    </Section>
  );
}

function Create() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('');
  const [unit, setUnit] = useState<string | null>(null);
  // a role on every unit is chosen on purpose, never by leaving the unit empty
  const [all, setAll] = useState(false);
  const action = useAction();
  const errs = (f: string) => fieldErrors(action.error, lang, f);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const out = await action.run(() =>
      api.post<User>('/api/auth/users', {
        username: username.trim(),
        display_name: name.trim() || undefined,
        email: email.trim() || null,
        password: password || null,
        grants: role ? [{ role, org_unit: all ? null : unit }] : [],
      }),
    );
    if (!out) return;
    invalidate('/api/auth/users');
    navigate(`/admin/users/${encodeURIComponent(out.username)}`, { state: { created: true } });
  };
  return (
    <Section id="create" title={t('adminWf.users.create')}>
      <ActionError
        error={action.error}
        fields={['username', 'display_name', 'email', 'password', 'grants']}
      />
      <form className="form admin-form" onSubmit={onSubmit} noValidate>
        <div className="form-row">
          <TextField
            label={t('login.username')}
            value={username}
            onChange={setUsername}
            required
            mono
            autoComplete="off"
            errors={errs('username')}
            help={t('adminWf.users.usernameHelp')}
          />
          <TextField
            label={t('adminWf.users.displayName')}
            value={name}
            onChange={setName}
            errors={errs('display_name')}
          />
        </div>
        <div className="form-row">
          <TextField
            label={t('adminWf.users.email')}
            type="email"
            value={email}
            onChange={setEmail}
            errors={errs('email')}
          />
          <TextField
            label={t('adminWf.users.tempPassword')}
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            errors={errs('password')}
            help={t('adminWf.users.passwordHelp')}
          />
        </div>
        <SelectField
          label={t('adminWf.users.firstRole')}
          value={role}
          onChange={setRole}
          allLabel={t('adminWf.users.noRole')}
          options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        />
        {role && <CheckboxField label={t('adminWf.user.everyUnit')} checked={all} onChange={setAll} />}
        {role && !all && (
          <UnitPicker
            label={t('adminWf.users.roleUnit')}
            value={unit}
            onChange={(c) => setUnit(c)}
            errors={errs('grants')}
          />
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={action.busy || (role !== '' && !all && unit === null)}
          >
            {t('adminWf.users.create')}
          </button>
        </div>
      </form>
    </Section>
  );
}

export function Component() {
  const { t } = useI18n();
  const crumbs = useAdminCrumbs();
  return (
    <RequireAdmin>
      <PageHeader title={t('adminWf.users.title')} crumbs={crumbs} lead={<p>{t('adminWf.users.lead')}</p>} />
      <List />
      <Create />
    </RequireAdmin>
  );
}
