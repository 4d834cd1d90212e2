/**
 * One ECharts chart in a div that follows its container's width. The chart is an image for assistive
 * technology (role img, with a label); the same data is always offered as a table beside it.
 */
import { useEffect, useRef } from 'react';
import { type ChartOption, init } from './echarts.ts';

export default function EChart({
  option,
  label,
  height = 320,
}: {
  option: ChartOption;
  label: string;
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = init(el, undefined, { renderer: 'svg' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  // ECharts writes its own (English) aria-label on its container: ours is on a wrapper it leaves alone
  return (
    <div role="img" aria-label={label} className="chart-wrap">
      <div ref={ref} className="chart" aria-hidden="true" style={{ height }} />
    </div>
  );
}
