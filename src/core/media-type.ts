/**
 * Evidence files: what a file really is, judged from its first bytes (magic numbers) and, for ZIP
 * containers, from the names in the central directory — never from what the client claims. Allowed:
 * PDF, PNG, JPEG, XLSX, DOCX, CSV and plain text (UTF-8 without NUL bytes). Refused: executables
 * (Windows PE, ELF, Mach-O, scripts with '#!'), macro-enabled Office files, other ZIP files,
 * anything unrecognised, and files whose name's extension does not match their content.
 * Also makes uploaded file names safe (no folders, no control characters).
 */
import { ChisoError } from './errors.ts';

export const MEDIA_TYPES = {
  pdf: { mediaType: 'application/pdf', extensions: ['pdf'] },
  png: { mediaType: 'image/png', extensions: ['png'] },
  jpeg: { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  xlsx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx'],
  },
  docx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
  },
  csv: { mediaType: 'text/csv; charset=utf-8', extensions: ['csv'] },
  txt: { mediaType: 'text/plain; charset=utf-8', extensions: ['txt'] },
} as const;
export type FileKind = keyof typeof MEDIA_TYPES;

const startsWith = (b: Uint8Array, sig: number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

const refuse = (code: string, vi: string, en: string, status = 415): ChisoError =>
  new ChisoError({ code, status, field: 'file', vi, en });

/** The names of the entries of a ZIP file, from its central directory; null when it is not a valid ZIP. */
export function zipEntryNames(b: Uint8Array): string[] | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // End of central directory: signature 0x06054b50 within the last 22 + 65535 bytes.
  const min = Math.max(0, b.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = b.length - 22; i >= min; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const names: string[] = [];
  const dec = new TextDecoder('utf-8');
  for (let n = 0; n < count; n++) {
    if (p + 46 > b.length || dv.getUint32(p, true) !== 0x02014b50) return null;
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen > b.length) return null;
    names.push(dec.decode(b.subarray(p + 46, p + 46 + nameLen)));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

function isText(b: Uint8Array): boolean {
  if (b.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** What the bytes are, or a refusal saying why they are not acceptable. */
export function sniffFile(bytes: Uint8Array): FileKind {
  const b = bytes;
  if (b.length === 0) throw refuse('attachment.empty', 'Tệp rỗng.', 'The file is empty.', 400);
  if (
    startsWith(b, [0x4d, 0x5a]) || // MZ: Windows PE / DOS
    startsWith(b, [0x7f, 0x45, 0x4c, 0x46]) || // ELF
    startsWith(b, [0xfe, 0xed, 0xfa, 0xce]) ||
    startsWith(b, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(b, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(b, [0xcf, 0xfa, 0xed, 0xfe]) ||
    startsWith(b, [0xca, 0xfe, 0xba, 0xbe]) || // Mach-O / Java class
    startsWith(b, [0x23, 0x21]) // '#!' script
  ) {
    throw refuse(
      'attachment.executable',
      'Tệp là chương trình thực thi hoặc kịch bản; không được phép tải lên.',
      'The file is an executable program or script; it may not be uploaded.',
    );
  }
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) {
    const names = zipEntryNames(b);
    if (!names) throw refuse('attachment.corrupt', 'Tệp ZIP bị hỏng.', 'The ZIP container is damaged.', 400);
    const has = (n: string) => names.includes(n);
    if (names.some((n) => /vbaProject\.bin$/i.test(n))) {
      throw refuse(
        'attachment.macro',
        'Tệp Office có chứa macro; không được phép tải lên. Hãy lưu dưới dạng .xlsx hoặc .docx không có macro.',
        'The Office file contains macros; it may not be uploaded. Save it as a macro-free .xlsx or .docx.',
      );
    }
    if (has('[Content_Types].xml') && has('xl/workbook.xml')) return 'xlsx';
    if (has('[Content_Types].xml') && has('word/document.xml')) return 'docx';
    throw refuse(
      'attachment.type_not_allowed',
      'Tệp nén ZIP không phải bảng tính .xlsx hoặc văn bản .docx; không được phép tải lên.',
      'The ZIP file is not an .xlsx workbook or a .docx document; it may not be uploaded.',
    );
  }
  if (isText(b)) return 'txt';
  throw refuse(
    'attachment.type_not_allowed',
    'Không nhận dạng được loại tệp. Chỉ nhận PDF, PNG, JPEG, XLSX, DOCX, CSV và TXT (UTF-8).',
    'The file type is not recognised. Only PDF, PNG, JPEG, XLSX, DOCX, CSV and TXT (UTF-8) are accepted.',
  );
}

const extensionOf = (name: string): string => {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i + 1).toLowerCase() : '';
};

/**
 * A file name reduced to its last component, without control characters or characters Windows
 * forbids, NFC-normalised, at most 200 characters (keeping the extension).
 */
export function safeFilename(raw: string): string {
  const last = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  let name = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '').trim();
  name = name.replace(/^\.+/, '').trim();
  if (name.length > 200) {
    const ext = extensionOf(name);
    name = `${name.slice(0, 200 - ext.length - 1)}.${ext}`;
  }
  if (!name || !extensionOf(name)) {
    throw new ChisoError({
      code: 'attachment.filename',
      field: 'filename',
      vi: `Tên tệp '${raw}' không hợp lệ: cần một tên có phần mở rộng (ví dụ bao-cao.pdf).`,
      en: `The file name '${raw}' is not valid: a name with an extension is needed (e.g. report.pdf).`,
    });
  }
  return name;
}

/** Sniffs the content, checks it agrees with the file name's extension, and gives the stored type. */
export function classifyUpload(
  filename: string,
  bytes: Uint8Array,
): { filename: string; kind: FileKind; mediaType: string } {
  const name = safeFilename(filename);
  let kind = sniffFile(bytes);
  const ext = extensionOf(name);
  if (kind === 'txt' && ext === 'csv') kind = 'csv';
  const allowed: readonly string[] = MEDIA_TYPES[kind].extensions;
  if (!allowed.includes(ext)) {
    throw new ChisoError({
      code: 'attachment.type_mismatch',
      status: 415,
      field: 'file',
      vi: `Nội dung tệp '${name}' là ${kind.toUpperCase()}, không khớp với phần mở rộng .${ext || '(không có)'}.`,
      en: `The content of '${name}' is ${kind.toUpperCase()}, which does not match the extension .${ext || '(none)'}.`,
      details: { sniffed: kind, extension: ext },
    });
  }
  return { filename: name, kind, mediaType: MEDIA_TYPES[kind].mediaType };
}

/** A Content-Disposition header value that carries a Vietnamese file name safely (RFC 6266 / 8187). */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
