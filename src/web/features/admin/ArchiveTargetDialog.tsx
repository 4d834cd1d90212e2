/**
 * Archiving a target, confirmed in a modal dialog (native <dialog>: focus stays inside, Escape
 * cancels) with a required reason. The server keeps the target (history, audit log with the reason)
 * and takes it out of the lists, the conflicts and progress; its refusal shows under the reason.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useSave } from './form.tsx';

export interface ArchiveTarget {
  id: number;
  /** What the target is, as the list shows it: indicator, period, scope, value. */
  label: string;
  /** The version read (a stale one is refused); absent where the list does not carry it. */
  version?: number | undefined;
}

export function ArchiveTargetDialog({
  target,
  onClose,
}: {
  target: ArchiveTarget;
  /** Called with true once archived, false when cancelled. */
  onClose(archived: boolean): void;
}) {
  const { t, lang } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const uid = useId();
  const save = useSave();
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setLocal(t('admin.targets.archiveReasonShort'));
      document.getElementById(`${uid}-reason`)?.focus();
      return;
    }
    setLocal(null);
    const r = await save.run(() =>
      api.post(`/api/targets/${target.id}/archive`, {
        reason: reason.trim(),
        ...(target.version !== undefined ? { version: target.version } : {}),
      }),
    );
    if (r) onClose(true);
  };
  const fieldError = local ?? save.fieldError('reason');
  const other = save.error && !save.fieldError('reason') ? save.error.text(lang) : null;

  return (
    <dialog
      ref={ref}
      className="admin-dialog"
      aria-labelledby={`${uid}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onClose(false);
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${uid}-title`}>{t('admin.targets.archiveTitle')}</h2>
        <p>
          <strong>{target.label}</strong>
        </p>
        <p className="muted small">{t('admin.targets.archiveExplain')}</p>
        {other && (
          <div className="state state-error" role="alert">
            <p>
              <strong>{t('admin.form.refused')}</strong> {other}
            </p>
          </div>
        )}
        <div className={fieldError ? 'field has-error' : 'field'}>
          <label htmlFor={`${uid}-reason`}>
            {t('admin.targets.archiveReason')}
            <span className="required" aria-hidden="true">
              {' *'}
            </span>
          </label>
          <textarea
            id={`${uid}-reason`}
            rows={3}
            value={reason}
            required
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${uid}-err` : undefined}
            onChange={(e) => setReason(e.target.value)}
          />
          {fieldError && (
            <p className="field-error" id={`${uid}-err`}>
              {fieldError}
            </p>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={save.busy}>
            {save.busy ? t('admin.saving') : t('admin.targets.archiveConfirm')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => onClose(false)}>
            {t('admin.groups.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
