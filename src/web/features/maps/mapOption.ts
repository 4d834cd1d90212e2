/**
 * The ECharts option of a choropleth of units: one region per unit with a boundary, coloured by its
 * value on a single-hue scale (colour-blind safe) whose dark end is the better end for the indicator's
 * direction (higher is better: dark is high; lower is better: dark is low; a target value: dark is
 * high, no judgement). Units without a value are drawn grey.
 */
import type { MapOption } from './echarts-map.ts';

export const MAP_COLORS = {
  scale: ['#e3eef9', '#8fb8de', '#2f6eab', '#0b3c73'],
  missing: '#eceff3',
  border: '#ffffff',
  hover: '#f2b705',
  text: '#3d4651',
};

export interface MapDatum {
  code: string;
  name: string;
  value: number | null;
}

export function mapOption(
  mapName: string,
  data: MapDatum[],
  opts: {
    direction: string;
    format(v: number): string;
    noValue: string;
    /** Region labels (names) when there are few regions. */
    labels?: boolean;
    /** Middle latitude of the regions: a degree of longitude is drawn cos(latitude) as wide as one of latitude. */
    latitude?: number;
    /** The map's box in the chart, in pixels (keeping the regions' proportions); else a margin all round. */
    box?: { left: number; top: number; width: number; height: number };
  },
): MapOption {
  const values = data.flatMap((d) => (d.value === null ? [] : [d.value]));
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  const scale = opts.direction === 'decrease' ? [...MAP_COLORS.scale].reverse() : MAP_COLORS.scale;
  const byCode = new Map(data.map((d) => [d.code, d]));
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit', color: MAP_COLORS.text },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const one = Array.isArray(p) ? p[0] : p;
        const d = byCode.get(String(one?.name ?? ''));
        if (!d) return '';
        const v = d.value === null ? opts.noValue : opts.format(d.value);
        const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
        return `${esc(d.name)}<br/><strong>${esc(v)}</strong>`;
      },
    },
    visualMap: {
      type: 'continuous',
      min,
      max: max === min ? min + 1 : max,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 12,
      itemHeight: 180,
      calculable: false,
      realtime: false,
      text: [opts.format(max), opts.format(min)],
      textGap: 8,
      textStyle: { fontSize: 12, color: MAP_COLORS.text },
      inRange: { color: scale },
      outOfRange: { color: MAP_COLORS.missing },
    },
    series: [
      {
        type: 'map',
        map: mapName,
        nameProperty: 'code',
        roam: false,
        aspectScale: Math.cos(((opts.latitude ?? 0) * Math.PI) / 180),
        ...(opts.box ?? { top: 8, bottom: 48, left: 8, right: 8 }),
        selectedMode: false,
        itemStyle: { areaColor: MAP_COLORS.missing, borderColor: MAP_COLORS.border, borderWidth: 1 },
        emphasis: {
          itemStyle: { areaColor: MAP_COLORS.hover },
          label: { show: opts.labels ?? false, fontSize: 11, fontWeight: 600 },
        },
        label: {
          show: opts.labels ?? false,
          fontSize: 11,
          color: '#1f2933',
          formatter: (p) => byCode.get(p.name)?.name ?? '',
        },
        // a label in white on the darker half of the scale, in the text colour on the lighter half
        data: data.map((d) => {
          const dark =
            d.value !== null &&
            max > min &&
            (opts.direction === 'decrease' ? (max - d.value) / (max - min) : (d.value - min) / (max - min)) >
              0.55;
          return {
            name: d.code,
            value: d.value ?? Number.NaN,
            ...(dark ? { label: { color: '#ffffff' } } : {}),
          };
        }),
      },
    ],
  };
}

/** Space under the map for the colour scale. */
const SCALE_SPACE = 48;

/**
 * The map's height and box in a container of the given width: the regions keep their proportions,
 * as wide as the container unless that would make the map taller than 460 px (then centred).
 */
export function mapLayout(
  width: number,
  aspect: number,
): { height: number; box: { left: number; top: number; width: number; height: number } } {
  const pad = 8;
  const availW = Math.max(0, width - 2 * pad);
  const height = Math.round(Math.min(460, Math.max(120, availW / aspect + SCALE_SPACE + pad)));
  const availH = height - SCALE_SPACE - pad;
  const fitW = Math.min(availW, availH * aspect);
  const fitH = fitW / aspect;
  return {
    height,
    box: {
      left: Math.round((width - fitW) / 2),
      top: Math.round(pad + (availH - fitH) / 2),
      width: Math.round(fitW),
      height: Math.round(fitH),
    },
  };
}
