/**
 * The engine's period axis: for each period type, the periods of the years firstYear…lastYear
 * numbered 0, 1, 2 … in time order (an "ordinal"), with their codes and first/last days cached.
 * Series are laid out [ordinal][unit], so a period is an offset into a typed array.
 */
import {
  formatPeriod,
  type Period,
  PERIODS_PER_YEAR,
  type PeriodType,
  periodEnd,
  periodStart,
  tryParsePeriod,
} from '../../core/period.ts';

/** Finest first. */
export const TYPES_FINE_TO_COARSE: readonly PeriodType[] = ['month', 'quarter', 'half', 'year'];
export const TYPE_RANK: Readonly<Record<PeriodType, number>> = { month: 0, quarter: 1, half: 2, year: 3 };

/** The native type and every coarser type (the periods a series is kept at). */
export const typesFrom = (native: PeriodType): PeriodType[] =>
  TYPES_FINE_TO_COARSE.filter((t) => TYPE_RANK[t] >= TYPE_RANK[native]);

export class Calendar {
  private readonly codes = new Map<PeriodType, string[]>();
  private readonly starts = new Map<PeriodType, string[]>();
  private readonly ends = new Map<PeriodType, string[]>();

  constructor(
    readonly firstYear: number,
    readonly lastYear: number,
  ) {
    for (const t of TYPES_FINE_TO_COARSE) {
      const n = this.count(t);
      const codes: string[] = new Array(n);
      const starts: string[] = new Array(n);
      const ends: string[] = new Array(n);
      for (let k = 0; k < n; k++) {
        const p = this.period(t, k);
        codes[k] = formatPeriod(p);
        starts[k] = periodStart(p);
        ends[k] = periodEnd(p);
      }
      this.codes.set(t, codes);
      this.starts.set(t, starts);
      this.ends.set(t, ends);
    }
  }

  count(t: PeriodType): number {
    return (this.lastYear - this.firstYear + 1) * PERIODS_PER_YEAR[t];
  }

  period(t: PeriodType, k: number): Period {
    const per = PERIODS_PER_YEAR[t];
    return { type: t, year: this.firstYear + Math.floor(k / per), index: (k % per) + 1 };
  }

  /** The ordinal of a period, or -1 outside the calendar. */
  ordinal(p: Period): number {
    if (p.year < this.firstYear || p.year > this.lastYear) return -1;
    return (p.year - this.firstYear) * PERIODS_PER_YEAR[p.type] + p.index - 1;
  }

  private readonly located = new Map<string, { type: PeriodType; k: number } | null>();

  /** Parses a period code: { type, k } or null when malformed or outside the calendar (cached). */
  locate(code: string): { type: PeriodType; k: number } | null {
    let r = this.located.get(code);
    if (r === undefined) {
      const p = tryParsePeriod(code);
      const k = p ? this.ordinal(p) : -1;
      r = p && k >= 0 ? { type: p.type, k } : null;
      if (this.located.size < 100_000) this.located.set(code, r);
    }
    return r;
  }

  code(t: PeriodType, k: number): string {
    return this.codes.get(t)![k]!;
  }
  start(t: PeriodType, k: number): string {
    return this.starts.get(t)![k]!;
  }
  end(t: PeriodType, k: number): string {
    return this.ends.get(t)![k]!;
  }

  /** Ordinals of the finer periods that tile period k of the coarser type: [from, to). */
  within(coarse: PeriodType, k: number, fine: PeriodType): [number, number] {
    const ratio = PERIODS_PER_YEAR[fine] / PERIODS_PER_YEAR[coarse];
    return [k * ratio, (k + 1) * ratio];
  }

  /** Ordinal of the coarser period that contains period k of a finer type. */
  containing(fine: PeriodType, k: number, coarse: PeriodType): number {
    return Math.floor((k * PERIODS_PER_YEAR[coarse]) / PERIODS_PER_YEAR[fine]);
  }

  /** A period's time position for progress assessment: the year for years, else year·n + index − 1. */
  static timeOf(p: Period): number {
    return p.type === 'year' ? p.year : p.year * PERIODS_PER_YEAR[p.type] + p.index - 1;
  }
}
