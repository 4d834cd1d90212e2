/**
 * The streamed XML reader and the ADX / DXF2 readers built on it: chunk boundaries (anywhere, inside
 * a tag, an entity or a multi-byte character) change nothing; what fast-xml-parser reads from a
 * well-formed document the stream reads too; any truncation or corruption is a ChisoError, never a
 * crash; entity definitions are not expanded; and a large file is read lazily in constant memory.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { splitBytes } from '../../test/bytes.ts';
import { isChisoError } from '../core/errors.ts';
import { type Dhis2Ids, readAdx, readDhis2Xml } from './dhis2.ts';
import type { ValueRow } from './value-row.ts';
import { type XmlEvent, xmlEvents } from './xml-stream.ts';

const ids: Dhis2Ids = { toChiso: (_k, id) => id, toDhis2: (_k, c) => c };
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;');

async function* text(chunks: string[]) {
  yield* chunks;
}
async function* bytes(chunks: Uint8Array[]) {
  yield* chunks;
}
async function events(chunks: string[]): Promise<XmlEvent[]> {
  const out: XmlEvent[] = [];
  for await (const b of xmlEvents(text(chunks), 'x.xml')) out.push(...b);
  return out;
}
async function all<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

// Text of attribute values: XML-legal characters (no controls other than tab), Vietnamese included.
const xmlChar = fc.oneof(
  // (no tab or line break: attribute-value normalisation turns them into spaces, as XML requires)
  fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", 'ệ', 'Ư', 'đ', '€', '😀', ';', '='),
  fc.string({ minLength: 1, maxLength: 1 }).filter((c) => /^[\u0020-\u007e]$/.test(c)),
);
const xmlText = fc.array(xmlChar, { maxLength: 12 }).map((a) => a.join(''));
const code = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/);

interface Doc {
  groups: Array<{
    orgUnit: string;
    values: Array<{ de: string; value: string; annotation: string; cat: [string, string] | null }>;
  }>;
}
const docArb: fc.Arbitrary<Doc> = fc.record({
  groups: fc.array(
    fc.record({
      orgUnit: xmlText.filter((s) => s.trim() !== ''),
      values: fc.array(
        fc.record({
          de: xmlText.filter((s) => s.trim() !== ''),
          value: fc.oneof(fc.integer().map(String), xmlText),
          annotation: xmlText,
          cat: fc.option(
            fc.tuple(
              code.filter((c) => !['value', 'dataElement'].includes(c)),
              xmlText,
            ),
          ),
        }),
        { maxLength: 5 },
      ),
    }),
    { maxLength: 4 },
  ),
});

function adxOf(d: Doc, pretty: boolean): string {
  const nl = pretty ? '\n' : '';
  let s = `<?xml version="1.0" encoding="UTF-8"?>${nl}<adx xmlns="urn:ihe:qrph:adx:2015">${nl}`;
  for (const g of d.groups) {
    s += `<group dataSet="DS" period="2024-01-01/P1Y" orgUnit="${esc(g.orgUnit)}">${nl}`;
    for (const v of g.values) {
      const cat = v.cat ? ` ${v.cat[0]}="${esc(v.cat[1])}"` : '';
      s += `<dataValue dataElement="${esc(v.de)}"${cat} value="${esc(v.value)}"`;
      s += v.annotation.trim()
        ? `><annotation>${esc(v.annotation)}</annotation></dataValue>${nl}`
        : `/>${nl}`;
    }
    s += `</group>${nl}`;
  }
  return `${s}</adx>${nl}`;
}

const enc = new TextEncoder();

describe('xmlEvents', () => {
  it('gives the same events however the text is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(docArb, fc.array(fc.nat(), { maxLength: 8 }), async (d, cuts) => {
        const xml = adxOf(d, true);
        const whole = await events([xml]);
        const at = [...new Set(cuts.map((c) => c % (xml.length + 1)))].sort((a, b) => a - b);
        const parts: string[] = [];
        let last = 0;
        for (const c of at) {
          parts.push(xml.slice(last, c));
          last = c;
        }
        parts.push(xml.slice(last));
        const pieces = await events(parts);
        // text may arrive in several pieces: compare with the pieces of text joined
        const join = (ev: XmlEvent[]) =>
          ev.reduce<XmlEvent[]>((acc, e) => {
            const prev = acc[acc.length - 1];
            if (e.kind === 'text' && prev?.kind === 'text') prev.text += e.text;
            else acc.push(e.kind === 'text' ? { ...e } : e);
            return acc;
          }, []);
        expect(join(pieces)).toEqual(join(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('reads the attributes fast-xml-parser reads from the same well-formed document', async () => {
    const fxp = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseAttributeValue: false,
      parseTagValue: false,
      trimValues: false,
      processEntities: true,
      isArray: (name) => name === 'group' || name === 'dataValue',
    });
    await fc.assert(
      fc.asyncProperty(docArb, async (d) => {
        const xml = adxOf(d, false);
        const ev = await events([xml]);
        const mine = ev
          .filter(
            (e): e is Extract<XmlEvent, { kind: 'open' }> => e.kind === 'open' && e.name === 'dataValue',
          )
          .map((e) => e.attributes.dataElement);
        const doc = fxp.parse(xml) as {
          adx: { group?: Array<{ dataValue?: Array<{ dataElement: string }> }> };
        };
        const theirs = (doc.adx.group ?? []).flatMap((g) => (g.dataValue ?? []).map((v) => v.dataElement));
        expect(mine).toEqual(theirs);
        expect(mine).toEqual(d.groups.flatMap((g) => g.values.map((v) => v.de)));
      }),
      { numRuns: 150 },
    );
  });

  it('answers any truncation or corruption with a ChisoError (never a crash)', async () => {
    const xml = adxOf(
      {
        groups: [
          {
            orgUnit: 'Phường Tân Định',
            values: [
              { de: 'HS_TONG', value: '12', annotation: 'ghi chú ệ', cat: ['Sex', 'F'] },
              { de: 'TL', value: '4.5', annotation: '', cat: null },
            ],
          },
        ],
      },
      true,
    );
    const b = enc.encode(xml);
    const end = enc.encode(xml.slice(0, xml.lastIndexOf('</adx>') + 5)).length; // before the last '>'
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: end }),
        fc.array(fc.tuple(fc.nat({ max: b.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (cutAt, flips, cuts) => {
          const truncated = b.slice(0, cutAt);
          const r1 = await all(readAdx(bytes(splitBytes(truncated, cuts)), ids, 'cut.adx.xml')).catch(
            (e: unknown) => e,
          );
          expect(isChisoError(r1), String(r1)).toBe(true);
          const bad = b.slice();
          for (const [i, v] of flips) bad[i] = v;
          const r2 = await all(readAdx(bytes(splitBytes(bad, cuts)), ids, 'bad.adx.xml')).catch(
            (e: unknown) => e,
          );
          if (!Array.isArray(r2)) expect(isChisoError(r2), String(r2)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the line of a fault; a cut file is xml.truncated; entities are not expanded', async () => {
    const cut = await events(['<adx>\n<group a="1">\n<dataValue x="']).catch((e: unknown) => e);
    expect(cut).toMatchObject({ code: 'xml.truncated', location: { row: 3 } });
    const bad = await events(['<adx>\n<group a="1" a="2"/>\n</adx>']).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'xml.syntax', location: { row: 2 } });
    const bomb = await events([
      '<?xml version="1.0"?>\n<!DOCTYPE adx [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<adx><group orgUnit="&lol2;"/></adx>',
    ]).catch((e: unknown) => e);
    expect(bomb).toMatchObject({ code: 'xml.syntax' });
  });
});

describe('ADX and DXF2 readers, streamed', () => {
  it('reads ADX values from any chunking: categories, combos, annotations, lines', async () => {
    const xml =
      '<?xml version="1.0"?>\n<adx:adx xmlns:adx="urn:ihe:qrph:adx:2015">\n' +
      '  <adx:group dataSet="DS" period="2024-01-01/P3M" orgUnit="79.760">\n' +
      '    <adx:dataValue dataElement="A" Sex="F" value="1"/>\n' +
      '    <adx:dataValue dataElement="B" value="2.5"><adx:annotation>Ghi &amp; chú</adx:annotation></adx:dataValue>\n' +
      '  </adx:group>\n  <adx:group dataSet="DS" orgUnit="79">\n    <adx:dataValue dataElement="C" value="3"/>\n  </adx:group>\n</adx:adx>\n';
    const b = enc.encode(xml);
    const want = await all(readAdx(bytes([b]), ids));
    expect(
      want.map((r) => [r.line, r.indicator, r.org_unit, r.period, r.disagg, r.value, r.comment ?? null]),
    ).toEqual([
      [4, 'A', '79.760', '2024Q1', 'Sex=F', 1, null],
      [5, 'B', '79.760', '2024Q1', '', 2.5, 'Ghi & chú'],
      [8, '', '', '', '', null, null],
    ]);
    expect(want[2]!.errors[0]).toMatchObject({ code: 'adx.group_attributes', column: 'group[2]' });
    for (let n = 1; n < b.length; n += 7) {
      const got = await all(readAdx(bytes([b.subarray(0, n), b.subarray(n)]), ids));
      expect(got).toEqual(want);
    }
  });

  it('reads DXF2 dataValueSet attributes with set-level defaults', async () => {
    const xml =
      '<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="2024" orgUnit="79">\n' +
      '  <dataValue dataElement="A" value="10" comment="c"/>\n  <dataValue dataElement="B" period="2024Q2" value="true"/>\n</dataValueSet>';
    const got = await all(readDhis2Xml(bytes([enc.encode(xml)]), ids));
    expect(got.map((r) => [r.line, r.indicator, r.org_unit, r.period, r.value, r.comment ?? null])).toEqual([
      [2, 'A', '79', '2024', 10, 'c'],
      [3, 'B', '79', '2024Q2', 1, null],
    ]);
    await expect(all(readDhis2Xml(bytes([enc.encode('<adx/>')]), ids))).rejects.toMatchObject({
      code: 'dhis2.xml_root',
    });
  });

  /** A generated ADX file of `n` values, produced chunk by chunk (never whole in memory). */
  function* adxFile(n: number, counter: { bytes: number }): Generator<Uint8Array> {
    counter.bytes = 0;
    const out = (s: string) => {
      const b = enc.encode(s);
      counter.bytes += b.length;
      return b;
    };
    yield out('<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015">\n');
    const per = 1000;
    for (let g = 0; g * per < n; g++) {
      let s = `  <group dataSet="DS" period="2024-01-01/P1Y" orgUnit="79.${g}">\n`;
      for (let i = g * per; i < Math.min(n, (g + 1) * per); i++)
        s += `    <dataValue dataElement="IND-${i % 97}" Sex="${i % 2 ? 'F' : 'M'}" value="${i * 1.5}"/>\n`;
      yield out(`${s}  </group>\n`);
    }
    yield out('</adx>\n');
  }

  it('is lazy: the first values come before the file has been read', async () => {
    const counter = { bytes: 0 };
    const it = readAdx(adxFile(50_000, counter), ids)[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect((first.value as ValueRow).indicator).toBe('IND-0');
    expect(counter.bytes).toBeLessThan(200_000); // of about 3.5 MB
    await it.return?.(undefined);
  });

  it('reads a large ADX file in memory that does not grow with its size (loose bound)', async () => {
    // Live memory, not garbage: collect before each sample (the collector made callable at run time).
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    async function retained(n: number): Promise<{ growth: number; rows: number; bytes: number }> {
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      let rows = 0;
      const counter = { bytes: 0 };
      for await (const r of readAdx(adxFile(n, counter), ids)) {
        if (r.errors.length) throw new Error(JSON.stringify(r.errors));
        if (++rows % 20_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      }
      return { growth: peak - base, rows, bytes: counter.bytes };
    }
    const small = await retained(40_000);
    const large = await retained(400_000);
    expect(small.rows).toBe(40_000);
    expect(large.rows).toBe(400_000);
    expect(large.bytes).toBeGreaterThan(24_000_000);
    // Held whole, the large file would keep its 24 MB of text alive plus parsed objects several times
    // that; streamed, what stays alive is a chunk and the current group, whatever the file's size.
    expect(large.growth).toBeLessThan(large.bytes / 8);
    expect(large.growth).toBeLessThan(small.growth + 2 * 1024 * 1024);
  }, 120_000);
});
