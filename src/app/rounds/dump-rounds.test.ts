/** Evidence bytes and signatures survive a dump and restore (bytea through JSON Lines). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/db.ts';
import { SAMPLES } from '../../../test/evidence-samples.ts';
import { principalFor } from '../../../test/fixtures.ts';
import { callerFor, FORM, openRoundsStore, WARD_A } from '../../../test/rounds-fixture.ts';
import { dumpDatabase, restoreDatabase } from '../../store/dump.ts';
import { rows, type Store } from '../../store/db.ts';
import { openRound } from './open-round.ts';
import { readAttachment, uploadAttachment } from './upload-attachment.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-rounds-dump-'));
let source: Store;
let target: Store;
// Opening (migrating) databases is slow on PGlite: done before the test, under the hook timeout.
beforeAll(async () => {
  source = await openRoundsStore();
  target = await openTestStore();
});
afterAll(async () => {
  await source.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dump and restore of rounds', () => {
  it('carries forms, rounds, submissions, events and evidence bytes unchanged', async () => {
    const admin = callerFor(await principalFor(source, [['admin', '79']]));
    const round = await source.db.transaction((tx) =>
      openRound(tx, admin, { form: FORM, period: '2024Q1', org_unit: '79.760', level: 'commune' }),
    );
    const [sub] = await rows<{ id: number }>(
      source.db,
      sql`select s.id from submission s join org_unit u on u.id = s.org_unit_id where s.round_id = ${round.id} and u.code = ${WARD_A}`,
    );
    const bytes = new Uint8Array([...SAMPLES.png, ...Array.from({ length: 300 }, (_, i) => i % 256)]);
    const up = await source.db.transaction((tx) =>
      uploadAttachment(tx, admin, sub!.id, { filename: 'ảnh.png', bytes }),
    );
    const file = join(dir, 'rounds.jsonl');
    await dumpDatabase(source, file);
    await restoreDatabase(target, file);
    const back = await readAttachment(target.db, up.id);
    expect(back).toMatchObject({
      filename: 'ảnh.png',
      media_type: 'image/png',
      sha256: up.sha256,
      size: bytes.length,
    });
    expect(new Uint8Array(back.content)).toEqual(bytes);
    const [n] = await rows<{ s: number; e: number; f: number }>(
      target.db,
      sql`select (select count(*)::int from submission) as s, (select count(*)::int from submission_event) as e,
              (select count(*)::int from form_item) as f`,
    );
    expect(n).toEqual({ s: 2, e: 2, f: 4 });
  });
});
