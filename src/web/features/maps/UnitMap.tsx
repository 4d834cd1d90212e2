/**
 * A choropleth map of units (ECharts `map` series over the units' GeoJSON boundaries). Loaded lazily
 * (with echarts-map.ts) only when a page has boundaries to show. For assistive technology the map is
 * one image with a label that says what it shows; the same values are in the table beside it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { init, registerMap } from './echarts-map.ts';
import { type MapDatum, mapOption } from './mapOption.ts';

export interface BoundaryFeature {
  type: 'Feature';
  id: string;
  bbox: [number, number, number, number];
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  properties: { code: string; name_vi: string; name_en: string | null; level: string; source: string };
}

let registered = 0;

export default function UnitMap({
  features,
  data,
  direction,
  format,
  noValue,
  label,
}: {
  features: BoundaryFeature[];
  data: MapDatum[];
  direction: string;
  format(v: number): string;
  noValue: string;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);
  // names on the regions only where there is room for them (a few regions on a wide screen)
  const [wide, setWide] = useState(false);
  // one registered map per set of features (registerMap is global to ECharts)
  const mapName = useMemo(() => {
    registered += 1;
    const name = `chiso-units-${registered}`;
    registerMap(name, { type: 'FeatureCollection', features } as unknown as Parameters<
      typeof registerMap
    >[1]);
    return name;
  }, [features]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = init(el, undefined, { renderer: 'svg' });
    chart.current = c;
    setWide(el.clientWidth >= 600);
    const ro = new ResizeObserver(() => {
      c.resize();
      setWide(el.clientWidth >= 600);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  const latitude = useMemo(() => {
    let south = 90;
    let north = -90;
    for (const f of features) {
      south = Math.min(south, f.bbox[1]);
      north = Math.max(north, f.bbox[3]);
    }
    return features.length ? (south + north) / 2 : 0;
  }, [features]);

  useEffect(() => {
    chart.current?.setOption(
      mapOption(mapName, data, {
        direction,
        format,
        noValue,
        labels: wide && features.length <= 12,
        latitude,
      }),
      { notMerge: true },
    );
  }, [mapName, data, direction, format, noValue, features.length, latitude, wide]);

  return (
    <div role="img" aria-label={label} className="chart-wrap unit-map" data-regions={features.length}>
      <div ref={ref} className="chart" aria-hidden="true" style={{ height: 'clamp(260px, 72vw, 460px)' }} />
    </div>
  );
}
