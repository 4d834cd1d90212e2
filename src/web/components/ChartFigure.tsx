/**
 * A chart with its table alternative: the reader switches between the two; the table is the same
 * data in text, so nothing in the chart is out of reach of a screen reader or a keyboard.
 */
import { lazy, type ReactNode, Suspense, useId, useState } from 'react';
import type { ChartOption } from '../features/charts/echarts.ts';
import { useT } from '../i18n/i18n.tsx';
import { Loading } from './States.tsx';

const EChart = lazy(() => import('../features/charts/EChart.tsx'));

export function ChartFigure({
  title,
  summary,
  option,
  table,
  height,
}: {
  title: string;
  summary: string;
  option: ChartOption;
  table: ReactNode;
  height?: number;
}) {
  const t = useT();
  const id = useId();
  const [view, setView] = useState<'chart' | 'table'>('chart');
  return (
    <figure className="chart-figure" aria-labelledby={`${id}-cap`}>
      <div className="chart-head">
        <figcaption id={`${id}-cap`}>{title}</figcaption>
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('chart.view')}</legend>
          <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
            {t('chart.showChart')}
          </button>
          <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
            {t('chart.showTable')}
          </button>
        </fieldset>
      </div>
      {view === 'chart' ? (
        <Suspense fallback={<Loading label={t('chart.loading')} />}>
          <EChart option={option} label={summary} {...(height ? { height } : {})} />
        </Suspense>
      ) : (
        table
      )}
    </figure>
  );
}
