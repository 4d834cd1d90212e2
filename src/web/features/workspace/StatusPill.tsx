/** A submission's workflow status as a labelled badge. */
import { useT } from '../../i18n/i18n.tsx';
import type { SubmissionStatus } from '../../lib/rounds.ts';

export function StatusPill({ status, late }: { status: SubmissionStatus | string; late?: boolean }) {
  const t = useT();
  const known = ['draft', 'submitted', 'returned', 'approved', 'locked'].includes(status);
  return (
    <span className="pill-group">
      <span className={`badge badge-wf-${status}`}>
        {known ? t(`workflow.${status as SubmissionStatus}`) : status}
      </span>
      {late && <span className="badge badge-off_track">{t('workflow.late')}</span>}
    </span>
  );
}
