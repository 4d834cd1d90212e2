/** The ECharts option for an indicator's actuals against its targets. */
import type { ChartOption } from '../charts/echarts.ts';
import type { Lang } from '../../i18n/i18n.tsx';
import { formatNumber, formatPeriodShort } from '../../lib/format.ts';
import { formatTarget } from '../../lib/catalogue.ts';
import type { SeriesRow } from './series.ts';

export const COLORS = {
  actual: '#0b4a8b',
  target: '#b3261e',
  projection: '#5f6b7a',
  grid: '#d9dee5',
  text: '#3d4651',
};

/** Yearly rows with the missing years between them added, so the axis keeps the distance in time. */
export function fillYears(rows: SeriesRow[]): SeriesRow[] {
  if (rows.length < 2 || !rows.every((r) => /^\d{4}$/.test(r.period))) return rows;
  const by = new Map(rows.map((r) => [Number(r.period), r]));
  const first = Number(rows[0]!.period);
  const last = Number(rows[rows.length - 1]!.period);
  if (last - first > 60) return rows;
  const out: SeriesRow[] = [];
  for (let y = first; y <= last; y++)
    out.push(by.get(y) ?? { period: String(y), actual: null, target: null });
  return out;
}

export function seriesOption(
  given: SeriesRow[],
  opts: {
    lang: Lang;
    actualLabel: string;
    targetLabel: string;
    projectionLabel?: string;
    /** The engine's projection to the target year, drawn from the last actual. */
    projection?: { period: string; value: number } | null;
    unit: string;
    percent: boolean;
  },
): ChartOption {
  const { lang } = opts;
  const proj = opts.projection ?? null;
  const withProjection =
    proj && !given.some((r) => r.period === proj.period)
      ? [...given, { period: proj.period, actual: null, target: null }]
      : given;
  const rows = fillYears(withProjection);
  const lastActualAt = rows.reduce((at, r, i) => (r.actual ? i : at), -1);
  const fmt = (v: number) => formatNumber(lang, v) + (opts.percent ? '%' : '');
  const categories = rows.map((r) => formatPeriodShort(lang, r.period));
  // the furthest target is drawn across the chart as a line; the others are marks at their periods
  const last = [...rows].reverse().find((r) => r.target)?.target ?? null;
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit', color: COLORS.text },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemGap: 20, textStyle: { fontSize: 13 } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (typeof v === 'number' ? fmt(v) : '–'),
    },
    xAxis: {
      type: 'category',
      data: categories,
      axisTick: { alignWithLabel: true },
      axisLabel: { fontSize: 12 },
    },
    yAxis: {
      type: 'value',
      ...(opts.percent ? { max: (m: { max: number }) => (m.max > 90 ? 100 : undefined) } : {}),
      splitLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: { fontSize: 12, formatter: (v: number) => fmt(v) },
    },
    series: [
      {
        name: opts.actualLabel,
        type: 'bar',
        data: rows.map((r) => r.actual?.value ?? null),
        itemStyle: { color: COLORS.actual, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 44,
        label: {
          show: rows.length <= 12,
          position: 'insideTop',
          distance: 6,
          fontSize: 11,
          fontWeight: 600,
          color: '#ffffff',
          formatter: (p) => (typeof p.value === 'number' ? fmt(p.value) : ''),
        },
      },
      {
        name: opts.targetLabel,
        type: 'line',
        data: rows.map((r) => r.target?.value ?? null),
        connectNulls: true,
        symbol: 'diamond',
        symbolSize: 12,
        lineStyle: { type: 'dashed', width: 2, color: COLORS.target },
        itemStyle: { color: COLORS.target },
        label: {
          show: true,
          position: 'top',
          fontSize: 11,
          fontWeight: 600,
          color: COLORS.target,
          formatter: (p) => (typeof p.value === 'number' ? fmt(p.value) : ''),
        },
        ...(last && last.comparator !== 'range'
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dotted', width: 1.5, color: COLORS.target },
                label: {
                  position: 'insideStartTop',
                  fontSize: 11,
                  color: COLORS.target,
                  formatter: () =>
                    `${opts.targetLabel} ${formatPeriodShort(lang, last.period)}: ${formatTarget(lang, last)}`,
                },
                data: [{ yAxis: last.value }],
              },
            }
          : {}),
      },
      ...(proj && lastActualAt >= 0 && opts.projectionLabel
        ? [
            {
              name: opts.projectionLabel,
              type: 'line' as const,
              data: rows.map((r, i) =>
                i === lastActualAt ? (r.actual?.value ?? null) : r.period === proj.period ? proj.value : null,
              ),
              connectNulls: true,
              symbol: 'circle',
              symbolSize: 8,
              lineStyle: { type: 'dotted' as const, width: 2, color: COLORS.projection },
              itemStyle: { color: COLORS.projection },
              label: {
                show: true,
                position: 'bottom' as const,
                fontSize: 11,
                color: COLORS.projection,
                formatter: (p: { dataIndex: number; value: unknown }) =>
                  p.dataIndex === lastActualAt || typeof p.value !== 'number' ? '' : fmt(p.value),
              },
            },
          ]
        : []),
    ],
  };
}
