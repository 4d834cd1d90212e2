/** Small labelled marks: a value's provenance, an assessment status, a unit's validity. */
import { type Key, useT } from '../i18n/i18n.tsx';

const PROVENANCE: Record<string, Key> = {
  entered: 'provenance.entered',
  imported: 'provenance.imported',
  computed: 'provenance.computed',
  estimated: 'provenance.estimated',
  synthetic: 'provenance.synthetic',
};

/** Shown only for what a reader must know: synthetic and estimated figures. */
export function ProvenanceBadge({ provenance, always = false }: { provenance: string; always?: boolean }) {
  const t = useT();
  if (!always && provenance !== 'synthetic' && provenance !== 'estimated') return null;
  const key = PROVENANCE[provenance];
  return (
    <span
      className={`badge badge-${provenance === 'synthetic' ? 'synthetic' : 'neutral'}`}
      title={provenance === 'synthetic' ? t('provenance.syntheticHelp') : undefined}
    >
      {key ? t(key) : provenance}
    </span>
  );
}

export type StatusCode =
  | 'achieved'
  | 'on_track'
  | 'at_risk'
  | 'off_track'
  | 'insufficient_data'
  | 'not_assessed';

const STATUS: Record<StatusCode, Key> = {
  achieved: 'status.achieved',
  on_track: 'status.on_track',
  at_risk: 'status.at_risk',
  off_track: 'status.off_track',
  insufficient_data: 'status.insufficient_data',
  not_assessed: 'status.not_assessed',
};

export function StatusBadge({ status }: { status: StatusCode }) {
  const t = useT();
  return <span className={`badge badge-status badge-${status}`}>{t(STATUS[status])}</span>;
}

export function ClosedBadge({ validTo }: { validTo: string | null }) {
  const t = useT();
  if (!validTo) return null;
  return <span className="badge badge-neutral">{t('units.closed')}</span>;
}
