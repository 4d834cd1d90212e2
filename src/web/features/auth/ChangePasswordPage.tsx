/**
 * Changing one's password: the current one, the new one twice. A user whose password is temporary
 * (set by an administrator) is sent here by `PasswordChangeGate` before anything else and, once it
 * is changed, on to where they were going (`?next=`). The server's rules (length, different
 * characters, not the username, not the current password) come back as errors under the field.
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ApiError } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';

/** Only paths of this application: never an address elsewhere, never this page again. */
export const safeNext = (next: string | null): string =>
  next && /^\/(?!\/)/.test(next) && !next.startsWith('/account/password') && !next.startsWith('/login')
    ? next
    : '/workspace';

type FieldName = 'current_password' | 'new_password' | 'repeat';

export function Component() {
  const { t, lang } = useI18n();
  const { me, checking, changePassword } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [values, setValues] = useState<Record<FieldName, string>>({
    current_password: '',
    new_password: '',
    repeat: '',
  });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const generalRef = useRef<HTMLDivElement>(null);
  const uid = useId();

  if (checking) return <Loading />;
  if (!me)
    return <Navigate to={`/login?next=${encodeURIComponent(`/account/password?next=${next}`)}`} replace />;
  const temporary = me.user.must_change_password;

  const focusField = (f: FieldName) =>
    requestAnimationFrame(() => document.getElementById(`${uid}-${f}`)?.focus());

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setGeneral(null);
    const local: Partial<Record<FieldName, string>> = {};
    if (!values.current_password) local.current_password = t('account.password.requiredCurrent');
    if (!values.new_password) local.new_password = t('account.password.requiredNew');
    if (values.repeat !== values.new_password) local.repeat = t('account.password.mismatch');
    setErrors(local);
    const first = (['current_password', 'new_password', 'repeat'] as const).find((f) => local[f]);
    if (first) {
      focusField(first);
      return;
    }
    setBusy(true);
    try {
      await changePassword(values.current_password, values.new_password);
      navigate(next, { replace: true, state: { passwordChanged: true } });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        const field = err.problem.field?.replace(/^body\./, '');
        if (field === 'current_password' || field === 'new_password') {
          setErrors({ [field]: err.text(lang) });
          focusField(field);
          return;
        }
        setGeneral(err.text(lang));
      } else {
        setGeneral(String(err));
      }
      requestAnimationFrame(() => generalRef.current?.focus());
    }
  };

  const field = (name: FieldName, label: string, autoComplete: string, hint?: string) => {
    const id = `${uid}-${name}`;
    const describedBy = [hint ? `${id}-hint` : '', errors[name] ? `${id}-err` : ''].filter(Boolean).join(' ');
    return (
      <div className={errors[name] ? 'field has-error' : 'field'}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={name}
          type="password"
          autoComplete={autoComplete}
          required
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy || undefined}
          value={values[name]}
          onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
        />
        {hint && (
          <p className="muted small" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {errors[name] && (
          <p className="field-error" id={`${id}-err`}>
            {errors[name]}
          </p>
        )}
      </div>
    );
  };

  return (
    <div className="narrow">
      <PageHeader
        title={t('account.password.title')}
        lead={<p>{temporary ? t('account.password.leadTemporary') : t('account.password.lead')}</p>}
      />
      <div className="section">
        {general && (
          <div className="state state-error" role="alert" tabIndex={-1} ref={generalRef}>
            <p>{general}</p>
          </div>
        )}
        <form onSubmit={onSubmit} noValidate className="form">
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={me.user.username}
            readOnly
            hidden
          />
          {field('current_password', t('account.password.current'), 'current-password')}
          {field('new_password', t('account.password.new'), 'new-password', t('account.password.rules'))}
          {field('repeat', t('account.password.repeat'), 'new-password')}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('account.password.saving') : t('account.password.submit')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
