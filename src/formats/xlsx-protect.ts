/**
 * Workbook structure protection for .xlsx files written by exceljs, which protects sheets but not
 * the workbook: this adds `<workbookProtection lockStructure="1"/>` to xl/workbook.xml so that
 * sheets cannot be added, deleted, renamed, moved or unhidden (a very hidden key sheet stays
 * hidden). No password: the aim is to keep a template's structure intact, not to keep secrets.
 *
 * The .xlsx is a ZIP archive: the archive is rewritten entry by entry from its central directory
 * (so data descriptors and local-header quirks do not matter), only xl/workbook.xml being changed.
 * ZIP64 and encrypted archives are refused (exceljs writes neither).
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface Entry {
  name: string;
  method: number;
  flags: number;
  time: number;
  date: number;
  crc: number;
  data: Buffer; // compressed bytes
  size: number; // uncompressed size
  extra: Buffer;
  comment: Buffer;
  internal: number;
  external: number;
  madeBy: number;
  version: number;
}

function readEntries(zip: Buffer): Entry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (p === 0xffffffff || count === 0xffff) throw new Error('ZIP64 archives are not supported');
  const out: Entry[] = [];
  for (let k = 0; k < count; k++) {
    if (zip.readUInt32LE(p) !== CENTRAL) throw new Error('broken ZIP central directory');
    const flags = zip.readUInt16LE(p + 8);
    if (flags & 1) throw new Error('encrypted ZIP entries are not supported');
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localAt = zip.readUInt32LE(p + 42);
    const compressed = zip.readUInt32LE(p + 20);
    if (zip.readUInt32LE(localAt) !== LOCAL) throw new Error('broken ZIP local header');
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    out.push({
      madeBy: zip.readUInt16LE(p + 4),
      version: zip.readUInt16LE(p + 6),
      flags: flags & ~0x8, // sizes go in the local header below: no data descriptor
      method: zip.readUInt16LE(p + 10),
      time: zip.readUInt16LE(p + 12),
      date: zip.readUInt16LE(p + 14),
      crc: zip.readUInt32LE(p + 16),
      size: zip.readUInt32LE(p + 24),
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
      extra: Buffer.alloc(0),
      comment: zip.subarray(p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + commentLen),
      internal: zip.readUInt16LE(p + 36),
      external: zip.readUInt32LE(p + 38),
      data: zip.subarray(dataAt, dataAt + compressed),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function writeEntries(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(e.version, 4);
    local.writeUInt16LE(e.flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(e.time, 10);
    local.writeUInt16LE(e.date, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, e.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(CENTRAL, 0);
    c.writeUInt16LE(e.madeBy, 4);
    c.writeUInt16LE(e.version, 6);
    c.writeUInt16LE(e.flags, 8);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt16LE(e.time, 12);
    c.writeUInt16LE(e.date, 14);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.data.length, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(0, 30);
    c.writeUInt16LE(e.comment.length, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(e.internal, 36);
    c.writeUInt32LE(e.external, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name, e.comment);
    offset += 30 + name.length + e.data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/** The .xlsx with its workbook structure locked (idempotent). */
export function lockWorkbookStructure(xlsx: Buffer): Buffer {
  const entries = readEntries(xlsx);
  const wb = entries.find((e) => e.name === 'xl/workbook.xml');
  if (!wb) throw new Error('not an .xlsx workbook (no xl/workbook.xml)');
  const raw = wb.method === 8 ? inflateRawSync(wb.data) : wb.data;
  let xml = raw.toString('utf8');
  if (xml.includes('<workbookProtection')) return xlsx;
  // CT_Workbook order: fileVersion?, fileSharing?, workbookPr?, workbookProtection?, bookViews? …
  const tag = '<workbookProtection lockStructure="1"/>';
  const after = /<workbookPr\b[^>]*\/>|<workbookPr\b[^>]*>[\s\S]*?<\/workbookPr>/.exec(xml);
  const before = /<bookViews\b|<sheets\b/.exec(xml);
  if (after)
    xml = xml.slice(0, after.index + after[0].length) + tag + xml.slice(after.index + after[0].length);
  else if (before) xml = xml.slice(0, before.index) + tag + xml.slice(before.index);
  else throw new Error('xl/workbook.xml has no <sheets>');
  const bytes = Buffer.from(xml, 'utf8');
  wb.size = bytes.length;
  wb.crc = crc32(bytes);
  wb.data = wb.method === 8 ? deflateRawSync(bytes) : bytes;
  return writeEntries(entries);
}

/** The text of one entry of a ZIP archive (tests, diagnostics), or null when there is none. */
export function zipEntryText(zip: Buffer, name: string): string | null {
  const e = readEntries(zip).find((x) => x.name === name);
  if (!e) return null;
  return (e.method === 8 ? inflateRawSync(e.data) : e.data).toString('utf8');
}
