/**
 * A choropleth map of units (ECharts `map` series over the units' GeoJSON boundaries). Loaded lazily
 * (with echarts-map.ts) only when a page has boundaries to show. For assistive technology the map is
 * one image with a label that says what it shows; the same values are in the table beside it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { init, registerMap } from './echarts-map.ts';
import { type MapDatum, mapLayout, mapOption } from './mapOption.ts';

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
  // the container's width: the map's box keeps the regions' proportions within it
  const [width, setWidth] = useState(0);
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
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  // the regions' extent, and its width/height as drawn (a degree of longitude is cos(latitude) wide)
  const extent = useMemo(() => {
    const b = [180, 90, -180, -90];
    for (const f of features) {
      b[0] = Math.min(b[0]!, f.bbox[0]);
      b[1] = Math.min(b[1]!, f.bbox[1]);
      b[2] = Math.max(b[2]!, f.bbox[2]);
      b[3] = Math.max(b[3]!, f.bbox[3]);
    }
    const latitude = (b[1]! + b[3]!) / 2;
    const w = (b[2]! - b[0]!) * Math.cos((latitude * Math.PI) / 180);
    const h = b[3]! - b[1]!;
    return { latitude, aspect: w > 0 && h > 0 ? w / h : 1 };
  }, [features]);
  const layout = useMemo(() => mapLayout(width, extent.aspect), [width, extent.aspect]);

  useEffect(() => {
    const c = chart.current;
    if (!c || width === 0) return;
    c.resize();
    c.setOption(
      mapOption(mapName, data, {
        direction,
        format,
        noValue,
        // names on the regions only where there is room for them (a few regions on a wide screen)
        labels: width >= 600 && features.length <= 12,
        latitude: extent.latitude,
        box: layout.box,
      }),
      { notMerge: true },
    );
  }, [mapName, data, direction, format, noValue, features.length, extent.latitude, layout, width]);

  return (
    <div role="img" aria-label={label} className="chart-wrap unit-map" data-regions={features.length}>
      <div ref={ref} className="chart" aria-hidden="true" style={{ height: layout.height, minHeight: 0 }} />
    </div>
  );
}
