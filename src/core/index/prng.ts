/**
 * A small seeded pseudo-random generator for the sensitivity analysis: a 32-bit Weyl sequence
 * passed through the murmur3 finaliser. Same seed, same sequence, on every platform.
 */
export type Rng = () => number;

/** Returns a generator of uniform numbers in [0, 1) for a seed (any finite number). */
export function createRng(seed: number): Rng {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}
