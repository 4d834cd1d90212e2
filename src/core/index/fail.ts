import { ChisoError, type ChisoErrorInit } from '../errors.ts';

/** A rejection by the index engine; `field` is the path of the fault (e.g. `nodes[3](CQS).weight`). */
export function indexError(
  code: string,
  vi: string,
  en: string,
  field?: string,
  details?: Record<string, unknown>,
): ChisoError {
  const init: ChisoErrorInit = { code, vi, en };
  if (field !== undefined) init.field = field;
  if (details !== undefined) init.details = details;
  return new ChisoError(init);
}
