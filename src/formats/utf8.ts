/**
 * Streaming text input: bytes in, validated UTF-8 text out, without holding the file. Invalid UTF-8
 * (a file saved in Windows-1258, TCVN3 or UTF-16) is refused naming the line and the byte in it; a
 * UTF-8 byte-order mark is dropped; a UTF-16 byte-order mark gets its own message. A SHA-256 of the
 * exact bytes is kept on the way, for the audit log.
 */
import { createHash } from 'node:crypto';
import { ChisoError } from '../core/errors.ts';

export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
/** What an import accepts: text, bytes, or an (async) iterable of either, e.g. a request stream. */
export type InputSource =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** Turns a string, Buffer or byte iterable into a byte source (strings are UTF-8 encoded). */
export async function* bytesOf(input: InputSource): AsyncGenerator<Uint8Array> {
  if (typeof input === 'string') {
    yield Buffer.from(input, 'utf8');
    return;
  }
  if (input instanceof Uint8Array) {
    yield input;
    return;
  }
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  }
}

export interface Hashed {
  source: AsyncGenerator<Uint8Array>;
  /** Hex SHA-256 of every byte read so far (the whole file once the source is drained). */
  sha256(): string;
  bytes(): number;
}

/** Wraps a byte source so that its SHA-256 is computed as it is read. */
export function hashing(input: InputSource): Hashed {
  const h = createHash('sha256');
  let n = 0;
  let digest: string | null = null;
  async function* run(): AsyncGenerator<Uint8Array> {
    for await (const chunk of bytesOf(input)) {
      h.update(chunk);
      n += chunk.length;
      yield chunk;
    }
  }
  return {
    source: run(),
    sha256: () => {
      digest ??= h.digest('hex');
      return digest;
    },
    bytes: () => n,
  };
}

const encodingError = (file: string, line: number, byte: number, what: { vi: string; en: string }) =>
  new ChisoError({
    code: 'file.encoding',
    file,
    row: line,
    column: byte,
    vi: `Tệp ${file}, dòng ${line}, byte thứ ${byte}: ${what.vi} Hãy lưu tệp dưới dạng UTF-8 (CSV UTF-8).`,
    en: `File ${file}, line ${line}, byte ${byte}: ${what.en} Save the file as UTF-8 (CSV UTF-8).`,
  });

/**
 * Validates UTF-8 as it streams and yields decoded text. Throws `file.encoding` at the first invalid
 * byte, with the line (1-based) and the byte's position in that line (1-based).
 */
export async function* utf8Text(source: ByteSource, file = 'file'): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let line = 1;
  let col = 0; // bytes seen on the current line
  let need = 0; // continuation bytes still expected
  let lo = 0x80;
  let hi = 0xbf;
  let first = true;
  let seqLine = 1;
  let seqCol = 0;
  for await (const raw of source) {
    let chunk = raw;
    if (first && chunk.length > 0) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw encodingError(file, 1, 1, {
          vi: 'tệp được lưu dạng UTF-16, không phải UTF-8.',
          en: 'the file is saved as UTF-16, not UTF-8.',
        });
      }
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      col++;
      if (need > 0) {
        if (b < lo || b > hi) {
          throw encodingError(file, seqLine, seqCol, {
            vi: 'chuỗi byte không phải UTF-8 hợp lệ.',
            en: 'the bytes are not valid UTF-8.',
          });
        }
        need--;
        lo = 0x80;
        hi = 0xbf;
        continue;
      }
      if (b < 0x80) {
        if (b === 0x0a) {
          line++;
          col = 0;
        }
        continue;
      }
      seqLine = line;
      seqCol = col;
      if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b === 0xe0) {
        need = 2;
        lo = 0xa0;
      } else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) need = 2;
      else if (b === 0xed) {
        need = 2;
        hi = 0x9f;
      } else if (b === 0xf0) {
        need = 3;
        lo = 0x90;
      } else if (b >= 0xf1 && b <= 0xf3) need = 3;
      else if (b === 0xf4) {
        need = 3;
        hi = 0x8f;
      } else {
        throw encodingError(file, line, col, {
          vi: `byte 0x${b.toString(16).toUpperCase()} không hợp lệ trong UTF-8.`,
          en: `byte 0x${b.toString(16).toUpperCase()} is not valid in UTF-8.`,
        });
      }
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  if (need > 0) {
    throw new ChisoError({
      code: 'file.truncated',
      file,
      row: seqLine,
      vi: `Tệp ${file} bị cắt cụt: dòng ${seqLine} kết thúc giữa một ký tự UTF-8.`,
      en: `File ${file} is truncated: line ${seqLine} ends in the middle of a UTF-8 character.`,
    });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
