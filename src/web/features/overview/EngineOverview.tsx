/**
 * The overview with the engine's assessment: every target with its status, attainment, trend and
 * projection, grouped by pillar. Targets set for every unit of a level are one row each, with how
 * many of those units are in each status.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import type { StatusCode } from '../../components/Badges.tsx';
import { FilterBar, SearchBox } from '../../components/Fields.tsx';
import { IndicatorName } from '../../components/IndicatorName.tsx';
import { Section } from '../../components/Page.tsx';
import { Sparkline } from '../../components/Sparkline.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { formatTarget } from '../../lib/catalogue.ts';
import { formatNumber, formatPeriod, formatValue } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import { type ProgressSummary, STATUS_STYLE, type SummaryRow } from './progress.ts';

const TREND: Record<string, Key> = {
  improving: 'overview.trend.improving',
  worsening: 'overview.trend.worsening',
  stable: 'overview.trend.stable',
};

/**
 * Rows of a pillar shown before "show more": the first screen stays small to lay out and hydrate
 * (a city's 150 targets in one pillar would be about 4,000 elements); the count above says how many.
 */
const ROWS_SHOWN = 20;

export function EngineOverview({ data, filters }: { data: ProgressSummary; filters: React.ReactNode }) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const levelName = (code: string) => {
    const l = data.levels.find((x) => x.code === code);
    return l ? pick(lang, l.name_vi, l.name_en) : code;
  };
  const statusOrder = data.statuses.map((s) => s.code);
  const statusLabel = (code: string) => {
    const key = `status.${code}` as Key;
    const s = t(key);
    if (s !== key) return s;
    const api = data.statuses.find((x) => x.code === code);
    return api ? pick(lang, api.vi, api.en) : code;
  };

  // The server folds the targets of every unit of a level into one row and orders the groups.
  const sections = useMemo(
    () =>
      data.groups
        .map((g) => ({
          ...g,
          rows: g.rows.filter((r) => {
            const i = r.kind === 'unit' ? r.item : r.first;
            return !q || matchesVi(`${i.indicator} ${i.indicator_name_vi} ${i.indicator_name_en ?? ''}`, q);
          }),
        }))
        .filter((g) => g.rows.length > 0),
    [data, q],
  );
  const shown = sections.reduce((n, g) => n + g.rows.length, 0);

  const columns: Array<Column<SummaryRow>> = [
    {
      key: 'indicator',
      header: t('overview.col.indicator'),
      rowHeader: true,
      sort: (r) => (r.kind === 'unit' ? r.item.indicator : r.first.indicator),
      cell: (r) => {
        const i = r.kind === 'unit' ? r.item : r.first;
        return (
          <>
            <IndicatorName code={i.indicator} name={pick(lang, i.indicator_name_vi, i.indicator_name_en)} />
            {i.conflicts > 0 && (
              <span className="badge badge-warning" title={t('overview.conflictHelp')}>
                {t('overview.conflict')}
              </span>
            )}
          </>
        );
      },
      className: 'col-wide',
    },
    {
      key: 'scope',
      header: t('overview.col.scope'),
      cell: (r) =>
        r.kind === 'unit' ? (
          <Link to={paths.unit(r.item.org_unit)}>{r.item.org_unit_name_vi}</Link>
        ) : (
          t('overview.everyUnitCount', { level: levelName(r.first.level), count: r.units })
        ),
    },
    {
      key: 'target',
      header: t('overview.col.target'),
      sort: (r) => (r.kind === 'unit' ? r.item.period : r.first.period),
      cell: (r) => {
        const i = r.kind === 'unit' ? r.item : r.first;
        return (
          <>
            <strong>{formatTarget(lang, { ...i.target, unit_of_measure: i.unit_of_measure })}</strong>
            <span className="sub">{formatPeriod(lang, i.period)}</span>
          </>
        );
      },
    },
    {
      key: 'latest',
      header: t('overview.col.latest'),
      sort: (r) => (r.kind === 'unit' ? (r.item.latest?.value ?? null) : null),
      cell: (r) => {
        if (r.kind === 'level')
          return (
            <Link to={`${paths.indicator(r.first.indicator)}#breakdown`}>{t('overview.seeByUnit')}</Link>
          );
        const i = r.item;
        if (!i.latest || i.latest.value === null)
          return <span className="muted">{t('overview.noData')}</span>;
        const synthetic = r.latest_provenance === 'synthetic';
        return (
          <>
            <strong>{formatValue(lang, i.latest.value, i.unit_of_measure)}</strong>
            <span className="sub">
              {formatPeriod(lang, i.latest.period)}{' '}
              {synthetic && <span className="badge badge-synthetic">{t('provenance.synthetic')}</span>}
            </span>
          </>
        );
      },
    },
    {
      key: 'trend',
      header: t('overview.col.trend'),
      cell: (r) => {
        if (r.kind === 'level') return <span className="muted">–</span>;
        const i = r.item;
        const s = r.recent;
        const cls =
          i.trend === 'improving' ? 'trend-good' : i.trend === 'worsening' ? 'trend-bad' : 'trend-flat';
        return (
          <span className={`trend ${cls}`}>
            {s.length > 1 && <Sparkline values={s.map((v) => v.value)} />}
            <span className="trend-text">
              {i.trend && TREND[i.trend] ? t(TREND[i.trend]!) : t('overview.noTrend')}
              {i.projection !== null && (
                <span className="projection">
                  {t('overview.projection', { value: formatValue(lang, i.projection, i.unit_of_measure) })}
                </span>
              )}
            </span>
          </span>
        );
      },
    },
    {
      key: 'status',
      header: t('overview.col.status'),
      sort: (r) => statusOrder.indexOf(r.kind === 'unit' ? r.item.status : (r.counts[0]?.[0] ?? '')),
      cell: (r) => {
        if (r.kind === 'level') {
          return (
            <ul className="status-counts">
              {r.counts.map(([code, n]) => (
                <li key={code}>
                  <span className={`dot dot-${STATUS_STYLE[code] ?? 'not_assessed'}`} aria-hidden="true" />
                  {t('overview.statusCount', { status: statusLabel(code), count: n })}
                </li>
              ))}
            </ul>
          );
        }
        const i = r.item;
        return (
          <>
            <span className={`badge badge-status badge-${STATUS_STYLE[i.status] ?? 'not_assessed'}`}>
              {statusLabel(i.status)}
            </span>
            {i.attainment !== null && (
              <span className="sub">
                {t('overview.attainment', { value: formatNumber(lang, i.attainment * 100, 1) })}
              </span>
            )}
          </>
        );
      },
    },
  ];

  const count = (codes: string[]) => codes.reduce((n, c) => n + (data.counts[c] ?? 0), 0);
  const stats: Array<[number, string, StatusCode | null]> = [
    [data.total, t('overview.stat.assessedTargets'), null],
    [count(['target_achieved']), statusLabel('target_achieved'), 'achieved'],
    [count(['substantial_progress']), statusLabel('substantial_progress'), 'on_track'],
    [
      count(['moderate_progress', 'limited_progress', 'stagnation_or_regression', 'deterioration']),
      t('overview.stat.behind'),
      'at_risk',
    ],
    [count(['insufficient_data', 'not_computable']), statusLabel('insufficient_data'), 'insufficient_data'],
  ];

  return (
    <>
      <ul className="stats stats-5" aria-label={t('overview.summary')}>
        {stats.map(([n, label, style]) => (
          <li key={label} className={style ? `stat-${style}` : undefined}>
            <span className="stat-value">{formatNumber(lang, n)}</span>
            <span className="stat-label">{label}</span>
          </li>
        ))}
      </ul>
      <p className="muted small">
        {t('overview.method', {
          method: pick(lang, data.method_profile.label_vi, data.method_profile.label_en),
        })}{' '}
        {t('overview.unitsNote')}
      </p>
      <FilterBar count={t('overview.shownRows', { shown })}>
        <SearchBox value={q} onChange={setQ} label={t('overview.searchLabel')} />
        {filters}
      </FilterBar>
      {sections.length === 0 && <p className="state state-empty">{t('overview.noMatch')}</p>}
      <div className="overview-groups">
        {sections.map((g) => (
          <Section key={g.code} id={`group-${g.code}`} title={pick(lang, g.name_vi, g.name_en)}>
            <Table
              caption={t('overview.tableCaption', { group: pick(lang, g.name_vi, g.name_en) })}
              captionHidden
              columns={columns}
              rows={g.rows}
              rowKey={(r) => r.key}
              limit={ROWS_SHOWN}
            />
          </Section>
        ))}
      </div>
    </>
  );
}
