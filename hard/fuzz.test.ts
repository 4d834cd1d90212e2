/**
 * Hostile input: fast-check fuzzing of every parser that reads outside data — period codes, formulas,
 * values files (CSV, JSON) through the reader and through the whole import, plan files (YAML, XLSX),
 * catalogue files — and of the HTTP API, operation by operation from its own OpenAPI document.
 * Properties: the only exception ever thrown is a ChisoError; nothing takes longer than a hang bound;
 * a rejected import changes nothing; the API never answers 5xx, every rejection is a 4xx
 * application/problem+json with the Vietnamese and English messages; bodies over 2 MB get 413.
 * Sizes: CHISO_HARD_SCALE=ci (runs per property below) or full (10× more).
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportCatalogue, importCatalogue } from '../src/app/catalogue/transfer.ts';
import { importValues } from '../src/app/exchange/import-values.ts';
import { readPlanXlsx, readPlanYaml } from '../src/app/plans/plan-file.ts';
import { isChisoError } from '../src/core/errors.ts';
import { evaluateFormula, formatFormula, parseFormula } from '../src/core/formula.ts';
import { fromDhis2Period, parseIsoDate, parsePeriod } from '../src/core/period.ts';
import { readValuesCsv } from '../src/formats/values-csv.ts';
import { readValuesJson } from '../src/formats/values-json.ts';
import { rows, type Store } from '../src/store/db.ts';
import { openDemoStore, principalFor, type TestApp, testApp } from '../test/fixtures.ts';
import { pick, report, ROOT } from './lib/harness.ts';

const RUNS = pick(150, 3000);
/** A hang detector, not a benchmark: no single input may take this long. */
const HANG_MS = 60_000;
const tried: Record<string, number> = {};

/** Runs f; fails on any exception that is not a ChisoError, and on a hang. */
async function only<T>(name: string, f: () => T | Promise<T>): Promise<T | undefined> {
  tried[name] = (tried[name] ?? 0) + 1;
  const t0 = performance.now();
  const hang = () => {
    const ms = performance.now() - t0;
    if (ms > HANG_MS) throw new Error(`${name}: an input took ${Math.round(ms)} ms`);
  };
  let result: T | undefined;
  try {
    result = await f();
  } catch (e) {
    hang();
    if (!isChisoError(e))
      throw new Error(
        `${name}: not a ChisoError: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    expect(e.vi.length).toBeGreaterThan(0);
    expect(e.en.length).toBeGreaterThan(0);
    return undefined;
  }
  hang();
  return result;
}

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '../../etc/passwd',
  "' OR 1=1 --",
  "'); drop table data_value; --",
  '$' + '{{7*7}}',
  '<script>alert(1)</script>',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(400),
  'Tiếng Việt có dấu',
  'a'.repeat(70_000),
  '%00%ff',
  '\r\n\r\n',
  '"',
  '""""',
);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), hostileStrings);

describe('period codes', () => {
  it('parsePeriod, fromDhis2Period and parseIsoDate throw only ChisoError', async () => {
    const codeLike = fc
      .tuple(
        fc.integer({ min: -1, max: 100_000 }),
        fc.constantFrom('', 'Q', 'S', 'H', 'M', 'W', 'T', 'BiW', '-', 'q', 'm', 'Quý ', '-Q', '-M', 'K'),
        fc.oneof(fc.integer({ min: -5, max: 60 }).map(String), fc.constant(''), fc.string({ maxLength: 3 })),
      )
      .map(([y, t, n]) => `${y}${t}${n}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(codeLike, text), async (s) => {
        await only('period', () => parsePeriod(s));
        await only('period.dhis2', () => fromDhis2Period(s));
        await only('period.date', () => parseIsoDate(s));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('formulas', () => {
  const token = fc.constantFrom(
    '(',
    ')',
    '+',
    '-',
    '*',
    '/',
    '^',
    ',',
    '%',
    '=',
    '<',
    '>',
    '<=',
    '<>',
    '!',
    '&',
    'and',
    'or',
    'not',
    'if',
    'IF',
    'sum',
    'min',
    'max',
    'avg',
    'round',
    'coalesce',
    'abs',
    'div',
    'NULL',
    'A',
    'B.1',
    'CĐS_01',
    '[A B]',
    '[',
    ']',
    '@',
    '1',
    '0',
    '0.5',
    '1e308',
    '1e-400',
    '.',
    '"',
    "'",
    ' ',
    '\t',
    '\n',
    'x',
    '¿',
  );
  const formulaLike = fc.array(token, { maxLength: 40 }).map((t) => t.join(''));
  it('parseFormula throws only ChisoError; a parsed formula formats and evaluates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(formulaLike, text), async (src) => {
        const ast = await only('formula', () => parseFormula(src));
        if (ast) {
          // The canonical text parses again or is refused cleanly (an overflowing literal such as 1e400
          // formats as "Infinity", which the parser refuses: reported to the formula module).
          await only('formula.format', () => parseFormula(formatFormula(ast)));
          await only('formula.evaluate', () => evaluateFormula(ast, () => 2));
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
  it('deep nesting is refused with a ChisoError, not a stack overflow', async () => {
    for (const depth of [1_000, 10_000, 100_000]) {
      await only('formula.deep', () => parseFormula(`${'('.repeat(depth)}1${')'.repeat(depth)}`));
      await only('formula.deep', () => parseFormula(`${'-'.repeat(depth)}1`));
      await only('formula.deep', () => parseFormula(`${'abs('.repeat(depth)}1${')'.repeat(depth)}`));
      await only('formula.deep', () => parseFormula(Array.from({ length: depth }, () => '1').join('^')));
    }
  });
});

async function drain<T>(it: AsyncIterable<T>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

const csvCell = fc.oneof(
  text,
  fc.constantFrom(
    '79',
    '79.SKHCN',
    '2024',
    '2024Q1',
    'DVC-01',
    '12.5',
    '1,5',
    '-',
    '',
    '=1+1',
    '@SUM(A1)',
    '"a,b"',
    'approved',
    'draft',
  ),
  fc.double().map(String),
);
const csvText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'indicator_code,period,org_unit_code,value',
        'indicator_code,period,org_unit_code,disagg,value,provenance,status,source_document,comment',
        '\uFEFFindicator,period,org_unit,value',
        'value,value,period',
        'indicator_code;period;org_unit_code;value',
        '',
      ),
      fc.array(fc.array(csvCell, { maxLength: 12 }), { maxLength: 20 }),
      fc.constantFrom('\n', '\r\n', '\r'),
    )
    .map(([h, rs, nl]) =>
      [
        h,
        ...rs.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')),
      ].join(nl),
    ),
  text,
);
const bytes = fc.oneof(
  csvText.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from([0xef, 0xbb, 0xbf, 0xc3, 0x28, 0x0a])),
);
const jsonLike = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .array(
      fc.record(
        {
          indicator: fc.oneof(text, fc.constant('DVC-01'), fc.integer()),
          period: fc.oneof(text, fc.constant('2024')),
          org_unit: fc.oneof(text, fc.constant('79')),
          value: fc.oneof(fc.double(), text, fc.constant(null), fc.boolean()),
          disagg: text,
          status: text,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 10 },
    )
    .chain((a) =>
      fc.boolean().map((bare) => JSON.stringify(bare ? a : { format: 'chiso-values/1', values: a })),
    ),
  text,
  fc.constantFrom('[', '{"values": [', '[{"value": 1e999}]', '{"a":'.repeat(5000), '['.repeat(100_000)),
);

let store: Store;
let t: TestApp;
beforeAll(async () => {
  store = await openDemoStore();
  t = await testApp(store);
}, 300_000);
afterAll(async () => {
  await t?.close();
});

const countValues = async () =>
  (
    await rows<{ n: number; v: number }>(
      store.db,
      sql`select count(*)::int as n, coalesce(sum(version), 0)::int as v from data_value`,
    )
  )[0]!;

describe('values files', () => {
  it('the CSV and JSON readers throw only ChisoError', async () => {
    await fc.assert(
      fc.asyncProperty(bytes, jsonLike, async (csv, json) => {
        await only('values.csv.read', () => drain(readValuesCsv([csv])));
        await only('values.json.read', () => drain(readValuesJson([Buffer.from(json)])));
      }),
      { numRuns: RUNS },
    );
  });
  it('an import throws only ChisoError, and a rejected import changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          bytes.map((b) => ['csv', b] as const),
          jsonLike.map((j) => ['json', Buffer.from(j)] as const),
        ),
        async ([format, b]) => {
          const before = await countValues();
          const r = await only(`values.${format}.import`, () =>
            importValues(store, 'fuzz', b, format, { file: `fuzz.${format}` }),
          );
          if (!r) expect(await countValues()).toEqual(before);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

describe('plan files', () => {
  it('readPlanYaml throws only ChisoError, on mutated real plans and on noise', async () => {
    const { readFileSync } = await import('node:fs');
    const real = YAML.parse(readFileSync(`${ROOT}/data/demo/plans/KH-CDS-2024.yaml`, 'utf8')) as Record<
      string,
      unknown
    >;
    const keys = Object.keys(real);
    const mutated = fc
      .tuple(fc.constantFrom(...keys, 'tasks', 'children', 'unknown_field'), fc.oneof(fc.jsonValue(), text))
      .map(([k, v]) => YAML.stringify({ ...real, [k]: v }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutated,
          text,
          fc.jsonValue().map((v) => YAML.stringify(v)),
        ),
        async (y) => {
          await only('plan.yaml', () => readPlanYaml(y, 'fuzz.yaml'));
        },
      ),
      { numRuns: RUNS },
    );
    await only('plan.yaml', () =>
      readPlanYaml('a: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n'.repeat(1), 'bomb.yaml'),
    );
    await only('plan.yaml', () =>
      readPlanYaml(
        `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
        'billion-laughs.yaml',
      ),
    );
  });
  it('readPlanXlsx throws only ChisoError, on workbooks with random cells and on noise', async () => {
    const cell = fc.oneof(
      text,
      fc.double(),
      fc.date({ noInvalidDate: true }),
      fc.boolean(),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 12 }),
        fc.constantFrom('Nhiệm vụ', 'Kế hoạch', 'Sheet1', 'Tasks'),
        fc.uint8Array({ maxLength: 500 }),
        async (grid, sheetName, noise) => {
          const wb = new ExcelJS.Workbook();
          const ws = wb.addWorksheet(sheetName);
          ws.addRow(['STT', 'Nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời hạn', 'Chỉ tiêu']);
          for (const r of grid)
            ws.addRow(r.map((c) => (typeof c === 'string' ? c.replace(/[\uD800-\uDFFF]/g, '') : c)));
          const buf = new Uint8Array(await wb.xlsx.writeBuffer());
          await only('plan.xlsx', () => readPlanXlsx(buf, 'fuzz.xlsx'));
          await only('plan.xlsx', () => readPlanXlsx(noise, 'noise.xlsx'));
        },
      ),
      { numRuns: Math.ceil(RUNS / 6) },
    );
  });
});

describe('catalogue files', () => {
  it('importCatalogue throws only ChisoError, on mutated real catalogues and on noise, and a rejection changes nothing', async () => {
    const real = await exportCatalogue(store);
    const sections = Object.keys(real) as Array<keyof typeof real>;
    const mutation = fc.tuple(
      fc.constantFrom(...sections),
      fc.nat(),
      fc.string({ maxLength: 12 }),
      fc.oneof(fc.jsonValue(), text),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutation.map((m) => ['mutate', m] as const),
          fc.jsonValue().map((v) => ['noise', v] as const),
        ),
        async ([kind, m]) => {
          let data: unknown = m;
          if (kind === 'mutate') {
            const [section, i, field, v] = m as [keyof typeof real, number, string, unknown];
            const copy = structuredClone(real) as unknown as Record<string, unknown>;
            const list = copy[section];
            if (Array.isArray(list) && list.length > 0) {
              const item = list[i % list.length] as Record<string, unknown>;
              const fields = Object.keys(item);
              item[fields.length && i % 3 ? fields[i % fields.length]! : field] = v;
            } else copy[section] = v;
            data = copy;
          }
          const before = await countValues();
          await only('catalogue.import', () => importCatalogue(store, 'fuzz', data, { dryRun: true }));
          expect(await countValues()).toEqual(before);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});

// ---- HTTP, driven by the OpenAPI document ----

interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema?: Record<string, unknown> }>;
  body: Record<string, unknown> | null;
}

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const rb = (
        op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined
      )?.content;
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters as Operation['params']) ?? [],
        body: rb ? (rb['application/json']?.schema ?? {}) : null,
      });
    }
  }
  return ops;
}

/** A value for a JSON schema: usually the declared type with hostile content, sometimes a wrong type. */
function valueFor(schema: Record<string, unknown> | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = schema ?? {};
  const wrong = fc.oneof(fc.jsonValue(), text);
  const types = ([] as unknown[]).concat(s.type ?? []);
  let right: fc.Arbitrary<unknown> = wrong;
  if (Array.isArray(s.enum) && s.enum.length) right = fc.constantFrom(...(s.enum as unknown[]));
  else if (s.anyOf || s.oneOf) {
    const alts = (s.anyOf ?? s.oneOf) as Array<Record<string, unknown>>;
    right = fc.oneof(...alts.map((a) => valueFor(a, depth + 1)));
  } else if (types.includes('object') && depth < 4) {
    const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
    const rec: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, v] of Object.entries(props)) rec[k] = valueFor(v, depth + 1);
    right = fc.record(rec, { requiredKeys: [] });
  } else if (types.includes('array') && depth < 4)
    right = fc.array(valueFor(s.items as Record<string, unknown>, depth + 1), { maxLength: 5 });
  else if (types.includes('integer'))
    right = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, -(2 ** 63)));
  else if (types.includes('number'))
    right = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -0, 1e308, -1e308, 5e-324),
    );
  else if (types.includes('boolean')) right = fc.boolean();
  else if (types.includes('string'))
    right = fc.oneof(
      text,
      fc.constantFrom('79', '79.SKHCN', 'DVC-01', '2024', 'admin', 'demo.admin', '1', 'true'),
    );
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function paramText(schema?: Record<string, unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    valueFor(schema).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    fc.constantFrom(
      '..',
      '../..',
      '%2e%2e%2f',
      '%00',
      '%',
      '%zz',
      '1 OR 1=1',
      "x' or '1'='1",
      'a'.repeat(300),
    ),
  );
}

const encode = (s: string) => {
  // Some raw (unencoded) strings are sent on purpose: a broken escape must give a 4xx too.
  if (/^%|\.\.$/.test(s)) return s;
  // A lone surrogate cannot be percent-encoded (URIError): send the replacement character instead.
  return encodeURIComponent(
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
};

function requestFor(op: Operation): fc.Arbitrary<{ url: string; payload?: string; contentType?: string }> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  return fc
    .record({
      path: fc.tuple(...pathParams.map((p) => paramText(p.schema)), fc.constant('')),
      query: fc.tuple(...queryParams.map((p) => fc.option(paramText(p.schema))), fc.constant(null)),
      extra: fc.option(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }))),
      body: op.body
        ? fc.oneof(
            { weight: 5, arbitrary: valueFor(op.body).map((v) => JSON.stringify(v) ?? 'null') },
            { weight: 1, arbitrary: text },
          )
        : fc.constant(undefined),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
      ),
    })
    .map(({ path, query, extra, body, contentType }) => {
      let url = op.path;
      pathParams.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, encode(path[i] as string) || 'x');
      });
      const qs: string[] = [];
      query.forEach((v, i) => {
        if (v !== null && i < queryParams.length)
          qs.push(`${encodeURIComponent(queryParams[i]!.name)}=${encode(v as string)}`);
      });
      if (extra) qs.push(`${encodeURIComponent(extra[0])}=${encodeURIComponent(extra[1])}`);
      return {
        url: qs.length ? `${url}?${qs.join('&')}` : url,
        ...(body !== undefined ? { payload: body, contentType } : {}),
      };
    });
}

describe('HTTP API from its OpenAPI document', () => {
  it('never answers 5xx; every rejection is a 4xx problem+json in Vietnamese and English', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(30);
    const admin = await principalFor(store, [['admin', '/']]);
    const reporter = await principalFor(store, [['reporter', '79.SKHCN']]);
    const callers = [admin, reporter, null];
    const statuses: Record<string, number> = {};
    let requests = 0;
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestFor(op), fc.nat({ max: 2 }), async (req, who) => {
          t.as(callers[who]!);
          const r = await t.app.inject({
            method: op.method as 'GET',
            url: req.url,
            ...(req.payload !== undefined
              ? { payload: req.payload, headers: { 'content-type': req.contentType! } }
              : {}),
          });
          requests++;
          statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
          const where = `${op.method} ${req.url} ${req.payload?.slice(0, 200) ?? ''} → ${r.statusCode} ${r.body.slice(0, 400)}`;
          expect(r.statusCode, where).toBeLessThan(500);
          if (r.statusCode >= 400) {
            expect(r.headers['content-type'], where).toMatch(/^application\/problem\+json/);
            const p = r.json() as { status: number; code: string; vi: string; en: string };
            expect(p.status, where).toBe(r.statusCode);
            expect(p.code, where).toBeTruthy();
            expect(p.vi && p.en, where).toBeTruthy();
          }
        }),
        { numRuns: Math.ceil(RUNS / 5) },
      );
    }
    t.as(null);
    tried['http.operations'] = ops.length;
    tried['http.requests'] = requests;
    report('fuzz-http', { operations: ops.length, requests, statuses });
  });

  it('refuses bodies over 2 MB with 413 problem+json, before authentication matters', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024 + 10) });
    for (const [method, url] of [
      ['PUT', '/api/values'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/org-units'],
    ] as const) {
      for (const who of [await principalFor(store, [['admin', '/']]), null]) {
        t.as(who);
        const r = await t.app.inject({
          method,
          url,
          payload: big,
          headers: { 'content-type': 'application/json' },
        });
        expect(r.statusCode, `${method} ${url} as ${who ? 'admin' : 'anonymous'}`).toBe(413);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    t.as(null);
  });
});

afterAll(() => {
  report('fuzz', {
    inputs: tried,
    total: Object.entries(tried)
      .filter(([k]) => !k.startsWith('http.'))
      .reduce((a, [, n]) => a + n, 0),
  });
});
