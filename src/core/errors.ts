/**
 * The one error type of chiso. Every rejection carries a stable machine code, a message in
 * Vietnamese and in English, and where it applies the place of the fault (file, row, column,
 * field, character position) so that a person can fix the input.
 */
export interface ErrorLocation {
  file?: string;
  row?: number;
  column?: string | number;
  field?: string;
  position?: number;
}

export interface ChisoErrorInit extends ErrorLocation {
  /** Stable machine code, e.g. `period.malformed`, `target.level_not_allowed`. */
  code: string;
  vi: string;
  en: string;
  /** HTTP status a server should answer with; 400 unless said otherwise. */
  status?: number;
  /** Further faults when one input had several (e.g. every bad row of an import). */
  errors?: ChisoErrorInit[];
  details?: Record<string, unknown>;
}

export class ChisoError extends Error {
  readonly code: string;
  readonly vi: string;
  readonly en: string;
  readonly status: number;
  readonly location: ErrorLocation;
  readonly errors: ChisoErrorInit[];
  readonly details: Record<string, unknown> | undefined;

  constructor(init: ChisoErrorInit) {
    super(init.en);
    this.name = 'ChisoError';
    this.code = init.code;
    this.vi = init.vi;
    this.en = init.en;
    this.status = init.status ?? 400;
    const { file, row, column, field, position } = init;
    this.location = Object.fromEntries(
      Object.entries({ file, row, column, field, position }).filter(([, v]) => v !== undefined),
    ) as ErrorLocation;
    this.errors = init.errors ?? [];
    this.details = init.details;
  }

  toJSON(): ChisoErrorInit {
    return {
      code: this.code,
      vi: this.vi,
      en: this.en,
      status: this.status,
      ...this.location,
      ...(this.errors.length ? { errors: this.errors } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const isChisoError = (e: unknown): e is ChisoError => e instanceof ChisoError;
