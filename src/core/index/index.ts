/**
 * The composite-index engine (bộ chỉ số): methodology as data, COINr-compatible normalisation,
 * aggregation, ranking, outlier treatment, imputation, sensitivity analysis and element removal.
 * Pure and deterministic; works on Float64Array columns with NaN = missing.
 */
export type {
  Aggregation,
  Direction,
  Imputation,
  IndexBand,
  IndexData,
  IndexEdge,
  IndexMethodology,
  IndexNode,
  Normalisation,
  PointsRule,
  Treatment,
} from './types.ts';
export { validateMethodology } from './validate.ts';
export {
  computeIndex,
  strengthsAndWeaknesses,
  type ComputeOptions,
  type IndexResult,
  type NodeScores,
  type StrengthEntry,
  type StrengthOptions,
  type UnitStrengths,
} from './compute.ts';
export { compareRanks, rankWithTies, type RankChange, type RankOptions, type RankTable } from './rank.ts';
export {
  removeElements,
  sensitivity,
  type RemovedElement,
  type RemoveElementsResult,
  type SensitivityOptions,
  type SensitivityResult,
  type UnitRankStats,
} from './sensitivity.ts';
export {
  aCopeland,
  aGeneralised,
  aGeometric,
  aHarmonic,
  aMean,
  aSum,
  aggregateColumns,
  outrankMatrix,
  type OutrankResult,
} from './aggregate.ts';
export {
  nDistToTarget,
  nGoalposts,
  nMinmax,
  normalise,
  nPercentileRank,
  nPoints,
  nRank,
  nZscore,
} from './normalise.ts';
export {
  checkSkewKurt,
  transform,
  treat,
  winsorise,
  type TreatResult,
  type WinsoriseResult,
} from './treat.ts';
export { imputeColumn, imputePanel, type PanelImputation } from './impute.ts';
export { kurt, mean, median, quantile, sd, skew } from './stats.ts';
export { createRng, type Rng } from './prng.ts';
