/**
 * The map of an indicator's breakdown by unit, where boundaries exist: the units of the breakdown's
 * rows that have a boundary (GET /api/boundaries), coloured by value. One level at a time — the level
 * chosen in the breakdown's filter, else the level with the most units on the map. Without any
 * boundary nothing is shown (no empty box). The breakdown's table stays the text alternative.
 */
import { lazy, Suspense, useCallback, useId, useMemo } from 'react';
import { Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatPeriod, formatValue } from '../../lib/format.ts';
import type { DataValue, Indicator } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import type { BoundaryFeature } from './UnitMap.tsx';

const UnitMap = lazy(() => import('./UnitMap.tsx'));

interface BoundaryCollection {
  type: 'FeatureCollection';
  sources: string[];
  features: BoundaryFeature[];
}

/** Units asked for by code at most; beyond, by level. */
const MAX_CODES = 800;

export function BreakdownMap({
  indicator: i,
  allValues,
  rows,
  level,
  period,
  levelName,
}: {
  indicator: Indicator;
  /** Every value of the indicator (the units that may ever be on the map). */
  allValues: DataValue[];
  /** The breakdown's rows as filtered (period, level, search). */
  rows: DataValue[];
  /** The level chosen in the filter ('' for all). */
  level: string;
  period: string;
  levelName(code: string | null | undefined): string;
}) {
  const { t, lang } = useI18n();
  const id = useId();
  const codes = useMemo(() => [...new Set(allValues.map((v) => v.org_unit_code))].sort(), [allValues]);
  const query =
    codes.length === 0
      ? null
      : codes.length <= MAX_CODES
        ? { units: codes.join(',') }
        : { level: level || mostCommon(allValues.map((v) => v.org_level)) };
  const boundaries = useApi<BoundaryCollection>(query ? '/api/boundaries' : null, query ?? undefined);
  const byCode = useMemo(
    () => new Map((boundaries.data?.features ?? []).map((f) => [f.properties.code, f])),
    [boundaries.data],
  );

  const onMap = rows.filter((r) => byCode.has(r.org_unit_code));
  const mapLevel = level || mostCommon(onMap.map((r) => r.org_level));
  const mapRows = onMap.filter((r) => r.org_level === mapLevel);
  // keyed by text, so that a new render with the same units and values keeps the same features (and the
  // same registered map) and the same data
  const featureKey = mapRows.map((r) => r.org_unit_code).join(',');
  const dataKey = `${lang}|${mapRows.map((r) => `${r.org_unit_code}=${r.value}`).join(',')}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the units' codes
  const features = useMemo(() => mapRows.map((r) => byCode.get(r.org_unit_code)!), [featureKey, byCode]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the units' codes and values
  const data = useMemo(
    () =>
      mapRows.map((r) => {
        const f = byCode.get(r.org_unit_code)!;
        return {
          code: r.org_unit_code,
          name: pick(lang, f.properties.name_vi, f.properties.name_en),
          value: r.value,
        };
      }),
    [dataKey, byCode],
  );
  const format = useCallback((v: number) => formatValue(lang, v, i.unit), [lang, i.unit]);

  if (mapRows.length === 0) return null;

  const withValue = data.filter((d) => d.value !== null) as Array<{ name: string; value: number }>;
  const sorted = [...withValue].sort((a, b) => b.value - a.value);
  const describe = (d: { name: string; value: number } | undefined) =>
    d ? `${d.name} (${format(d.value)})` : t('indicator.map.noValue');
  const levelLabel = levelName(mapLevel);
  const periodLabel = formatPeriod(lang, period);
  const summary = t('indicator.map.summary', {
    indicator: pick(lang, i.name_vi, i.name_en),
    count: mapRows.length,
    level: levelLabel,
    period: periodLabel,
    highest: describe(sorted[0]),
    lowest: describe(sorted[sorted.length - 1]),
  });
  const levelsOnMap = new Set(onMap.map((r) => r.org_level));
  const missing = rows.filter((r) => r.org_level === mapLevel && !byCode.has(r.org_unit_code)).length;
  const sources = [...new Set(features.map((f) => f.properties.source))].filter(Boolean);

  return (
    <figure
      className="chart-figure unit-map-figure"
      aria-labelledby={`${id}-cap`}
      aria-describedby={`${id}-note`}
    >
      <div className="chart-head">
        <figcaption id={`${id}-cap`}>
          {t('indicator.map.title', { level: levelLabel, period: periodLabel })}
        </figcaption>
      </div>
      <Suspense fallback={<Loading label={t('indicator.map.loading')} />}>
        <UnitMap
          features={features}
          data={data}
          direction={i.direction}
          format={format}
          noValue={t('indicator.map.noValue')}
          label={summary}
        />
      </Suspense>
      <div id={`${id}-note`} className="unit-map-notes">
        <p className="muted small">
          {t(i.direction === 'target' ? 'indicator.map.darkerHigher' : 'indicator.map.darkerBetter')}{' '}
          {t('indicator.map.tableNote')}
        </p>
        {!level && levelsOnMap.size > 1 && (
          <p className="muted small">{t('indicator.map.levelNote', { level: levelLabel })}</p>
        )}
        {missing > 0 && <p className="muted small">{t('indicator.map.missing', { count: missing })}</p>}
        {sources.length > 0 && (
          <p className="muted small">{t('indicator.map.source', { source: sources.join('; ') })}</p>
        )}
      </div>
    </figure>
  );
}

/** The most frequent item (the first of equals). */
function mostCommon(items: string[]): string {
  const n = new Map<string, number>();
  for (const x of items) n.set(x, (n.get(x) ?? 0) + 1);
  let best = '';
  let most = 0;
  for (const [x, c] of n)
    if (c > most) {
      best = x;
      most = c;
    }
  return best;
}
