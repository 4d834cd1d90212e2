/**
 * SYNTHETIC unit boundaries for tests: axis-aligned squares in a grid near Ho Chi Minh City. They
 * are generated geometry, not the real shapes of any unit (the city's real boundaries are not shipped:
 * their licence is unclear, see /work/shared/data/hcmc-units/README.md and docs/USER-GUIDE.md).
 */
export const SYNTHETIC_SOURCE = 'SYNTHETIC test squares (generated, not real boundaries)';

/** A closed square ring: [lon, lat] of the south-west corner and the side in degrees. */
export function square(lon: number, lat: number, side = 0.02): number[][] {
  return [
    [lon, lat],
    [lon + side, lat],
    [lon + side, lat + side],
    [lon, lat + side],
    [lon, lat],
  ];
}

/** A FeatureCollection with one synthetic square per unit code, laid out in rows of `perRow`. */
export function syntheticSquares(
  codes: string[],
  options: { perRow?: number; side?: number; property?: string; source?: string } = {},
) {
  const perRow = options.perRow ?? 4;
  const side = options.side ?? 0.02;
  return {
    type: 'FeatureCollection',
    source: options.source ?? SYNTHETIC_SOURCE,
    features: codes.map((code, i) => ({
      type: 'Feature',
      properties: { [options.property ?? 'code']: code, synthetic: true },
      geometry: {
        type: 'Polygon',
        coordinates: [
          square(106.6 + (i % perRow) * side * 1.1, 10.75 - Math.floor(i / perRow) * side * 1.1, side),
        ],
      },
    })),
  };
}
