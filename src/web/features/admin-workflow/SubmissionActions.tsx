/**
 * The steps after approval on one submission, for whoever may take them: lock an approved
 * submission (reviewer or admin), reopen an approved or locked one with a reason (admin). Used on
 * the round management page and on the reviewer's submission page; the server decides in the end.
 */
import { type FormEvent, useId, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import type { Submission } from '../../lib/rounds.ts';
import { useSession } from '../../lib/session.tsx';
import { invalidate } from '../../lib/useApi.ts';
import { ActionError, useAction } from './shared.tsx';

export function SubmissionActions({
  submission: s,
  onDone,
  compact = false,
}: {
  submission: Pick<Submission, 'id' | 'status' | 'version' | 'org_unit_name_vi'>;
  onDone(): void;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const { can } = useSession();
  const [reopening, setReopening] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const action = useAction();
  const uid = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const canLock = s.status === 'approved' && can('reviewer');
  const canReopen = (s.status === 'approved' || s.status === 'locked') && can('admin');
  if (!canLock && !canReopen) return compact ? <span className="muted">–</span> : null;

  const done = () => {
    invalidate('/api/submissions', '/api/rounds', '/api/inbox', '/api/values');
    onDone();
  };
  const lock = async () => {
    if (await action.run(() => api.post(`/api/submissions/${s.id}/lock`, { version: s.version }))) done();
  };
  const reopen = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setReasonError(true);
      reasonRef.current?.focus();
      return;
    }
    const out = await action.run(() =>
      api.post(`/api/submissions/${s.id}/reopen`, { version: s.version, reason: reason.trim() }),
    );
    if (out) {
      setReopening(false);
      setReason('');
      done();
    }
  };
  return (
    <div className={compact ? 'row-actions' : 'row-actions section'}>
      <ActionError error={action.error} />
      {!reopening && (
        <div className="form-actions">
          {canLock && (
            <button
              type="button"
              className="btn btn-secondary btn-small"
              disabled={action.busy}
              aria-label={t('adminWf.sub.lockNamed', { unit: s.org_unit_name_vi })}
              onClick={lock}
            >
              {t('adminWf.sub.lock')}
            </button>
          )}
          {canReopen && (
            <button
              type="button"
              className="btn btn-danger btn-small"
              aria-label={t('adminWf.sub.reopenNamed', { unit: s.org_unit_name_vi })}
              onClick={() => {
                setReopening(true);
                setTimeout(() => reasonRef.current?.focus(), 0);
              }}
            >
              {t('adminWf.sub.reopen')}
            </button>
          )}
        </div>
      )}
      {reopening && (
        <form className="form reopen-form" onSubmit={reopen} noValidate>
          <div className={reasonError ? 'field has-error' : 'field'}>
            <label htmlFor={`${uid}-r`}>{t('adminWf.sub.reason', { unit: s.org_unit_name_vi })}</label>
            <textarea
              id={`${uid}-r`}
              ref={reasonRef}
              rows={2}
              value={reason}
              aria-invalid={reasonError}
              aria-describedby={reasonError ? `${uid}-e` : undefined}
              onChange={(e) => {
                setReason(e.target.value);
                setReasonError(false);
              }}
            />
            {reasonError && (
              <p id={`${uid}-e`} className="field-error">
                {t('adminWf.sub.reasonRequired')}
              </p>
            )}
          </div>
          <div className="form-actions">
            <button type="submit" className="btn btn-danger btn-small" disabled={action.busy}>
              {t('adminWf.sub.confirmReopen')}
            </button>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setReopening(false)}>
              {t('adminWf.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
