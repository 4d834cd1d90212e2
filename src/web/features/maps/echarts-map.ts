/**
 * ECharts for maps, tree-shaken: the map series, the continuous visual map and the tooltip, drawn as
 * SVG. Imported only by UnitMap.tsx, itself loaded lazily when a page has boundaries to draw, so no
 * other page downloads it.
 */
import { MapChart, type MapSeriesOption } from 'echarts/charts';
import {
  TooltipComponent,
  type TooltipComponentOption,
  type VisualMapComponentOption,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { type ComposeOption, init, registerMap, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([MapChart, VisualMapContinuousComponent, TooltipComponent, SVGRenderer]);

export type MapOption = ComposeOption<MapSeriesOption | VisualMapComponentOption | TooltipComponentOption>;

export { init, registerMap };
