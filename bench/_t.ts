import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { generate, SCALES } from './generate.ts';
import { recompute, writeReferenceInput } from './recompute.ts';
for (const s of ['city', 'national-quick'] as const) {
  const d = generate(SCALES[s]);
  const r = recompute(d);
  console.log(s, JSON.stringify(r));
  mkdirSync('/tmp/bx/' + s, { recursive: true });
  writeReferenceInput(d, '/tmp/bx/' + s);
  console.log(execFileSync('python3', ['bench/reference.py', '/tmp/bx/' + s]).toString());
}
