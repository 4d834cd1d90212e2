/**
 * The choropleth's option: the dark end of the scale is the better end for the indicator's direction,
 * units without a value are missing (grey), the tooltip shows the unit's name and the formatted value
 * (escaped), the scale's ends are labelled with the formatted extremes.
 */
import { describe, expect, it } from 'vitest';
import { MAP_COLORS, mapLayout, mapOption } from './mapOption.ts';

const data = [
  { code: 'A', name: 'Phường <A>', value: 12.5 },
  { code: 'B', name: 'Phường B', value: 80 },
  { code: 'C', name: 'Phường C', value: null },
];
const fmt = (v: number) => `${String(v).replace('.', ',')}%`;
/** The parts of the option looked at here. */
type Seen = {
  visualMap: { inRange: { color: string[] }; min: number; max: number; text: string[] };
  series: Array<{ data: Array<{ name: string; value: number }> } & Record<string, unknown>>;
  tooltip: { formatter(p: { name: string }): string };
};
const option = (...args: Parameters<typeof mapOption>) => mapOption(...args) as unknown as Seen;
const opts = (direction: string) => ({ direction, format: fmt, noValue: 'chưa có số liệu' });

describe('map option', () => {
  it('colours higher as darker when higher is better, lower as darker when lower is better', () => {
    const up = option('m', data, opts('increase'));
    const down = option('m', data, opts('decrease'));
    expect(up.visualMap.inRange.color).toEqual(MAP_COLORS.scale);
    expect(down.visualMap.inRange.color).toEqual([...MAP_COLORS.scale].reverse());
    expect(up.visualMap).toMatchObject({ min: 12.5, max: 80, text: ['80%', '12,5%'] });
  });

  it('a unit without a value is missing; regions are named by code', () => {
    const o = option('m', data, opts('increase'));
    const s = o.series[0];
    expect(s).toMatchObject({ type: 'map', map: 'm', nameProperty: 'code' });
    expect(s!.data.map((d) => d.name)).toEqual(['A', 'B', 'C']);
    expect(Number.isNaN(s!.data[2]!.value)).toBe(true);
  });

  it('the tooltip names the unit and its formatted value, escaped', () => {
    const o = option('m', data, opts('target'));
    expect(o.tooltip.formatter({ name: 'A' })).toBe('Phường &#60;A&#62;<br/><strong>12,5%</strong>');
    expect(o.tooltip.formatter({ name: 'C' })).toBe('Phường C<br/><strong>chưa có số liệu</strong>');
    expect(o.tooltip.formatter({ name: 'Z' })).toBe('');
  });

  it('one value only still gives a scale', () => {
    const o = option('m', [data[0]!], opts('increase'));
    expect(o.visualMap.max).toBeGreaterThan(o.visualMap.min);
  });

  it('the layout keeps the regions’ proportions: wide maps are not stretched on a phone', () => {
    // a map 2.6 times as wide as tall in a 300 px container: 284 px wide, about 109 px tall
    const phone = mapLayout(300, 2.6);
    expect(phone.box.width / phone.box.height).toBeCloseTo(2.6, 1);
    expect(phone.box.width).toBeGreaterThanOrEqual(283); // the whole width, give or take rounding
    expect(phone.height).toBe(Math.round(284 / 2.6 + 48 + 8));
    // a tall map on a wide screen: at most 460 px high, centred
    const tall = mapLayout(1150, 0.8);
    expect(tall.height).toBe(460);
    expect(tall.box.width / tall.box.height).toBeCloseTo(0.8, 1);
    expect(Math.abs(tall.box.left - (1150 - tall.box.width) / 2)).toBeLessThanOrEqual(1);
  });
});
