/**
 * Splits bytes at the given cut points (taken modulo length + 1, repeats dropped), for tests that
 * feed a streamed reader its input in arbitrary chunks.
 */
export function splitBytes(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const c of at) {
    out.push(b.subarray(last, c));
    last = c;
  }
  out.push(b.subarray(last));
  return out;
}
