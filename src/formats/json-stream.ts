/**
 * Reads a large JSON document incrementally: either a top-level array whose elements are yielded one
 * at a time, or a top-level object whose members are yielded whole except the named array members,
 * whose elements are yielded one at a time. Only one element is held at once, so a million values
 * never sit in memory together. Each element carries the line it starts on.
 *
 * Errors are precise ChisoErrors: `json.syntax` (line), `json.truncated` (the file ends early),
 * `json.element_too_large`.
 */
import { ChisoError } from '../core/errors.ts';

export type JsonEvent =
  | { kind: 'element'; key: string | null; index: number; line: number; value: unknown }
  | { kind: 'member'; key: string; line: number; value: unknown };

export interface JsonStreamOptions {
  file?: string;
  /** Members of a top-level object whose array value is streamed element by element. */
  streamKeys?: readonly string[];
  /** Largest element, in characters. */
  maxElementChars?: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);

export async function* streamJson(
  text: AsyncIterable<string>,
  options: JsonStreamOptions = {},
): AsyncGenerator<JsonEvent> {
  const file = options.file ?? 'file.json';
  const streamKeys = new Set(options.streamKeys ?? []);
  const maxChars = options.maxElementChars ?? 1_000_000;
  const it = text[Symbol.asyncIterator]();
  let buf = '';
  let pos = 0;
  let line = 1;
  let done = false;

  const syntax = (at: number, vi: string, en: string) =>
    new ChisoError({
      code: 'json.syntax',
      file,
      row: at,
      vi: `Tệp ${file}, dòng ${at}: JSON không hợp lệ — ${vi}`,
      en: `File ${file}, line ${at}: invalid JSON — ${en}`,
    });
  const truncated = () =>
    new ChisoError({
      code: 'json.truncated',
      file,
      row: line,
      vi: `Tệp ${file} bị cắt cụt: kết thúc ở dòng ${line} khi JSON chưa đóng.`,
      en: `File ${file} is truncated: it ends at line ${line} before the JSON is closed.`,
    });

  async function more(): Promise<boolean> {
    if (done) return false;
    const r = await it.next();
    if (r.done) {
      done = true;
      return false;
    }
    buf = buf.slice(pos) + r.value;
    pos = 0;
    return true;
  }
  async function peek(): Promise<string | null> {
    while (pos >= buf.length) if (!(await more())) return null;
    return buf[pos]!;
  }
  async function skipWs(): Promise<string | null> {
    for (;;) {
      const c = await peek();
      if (c === null || !WS.has(c)) return c;
      if (c === '\n') line++;
      pos++;
    }
  }
  async function expect(ch: string, vi: string, en: string): Promise<void> {
    const c = await skipWs();
    if (c === null) throw truncated();
    if (c !== ch) throw syntax(line, `${vi} (gặp '${c}')`, `${en} (found '${c}')`);
    pos++;
  }

  /** Reads one complete JSON value starting at the cursor; returns its text. */
  async function valueText(): Promise<{ text: string; line: number }> {
    const startLine = line;
    let out = '';
    let depth = 0;
    let inString = false;
    let escaped = false;
    let started = false;
    for (;;) {
      if (pos >= buf.length && !(await more())) {
        if (started && depth === 0 && !inString) return { text: out, line: startLine };
        throw truncated();
      }
      const c = buf[pos]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') {
          inString = false;
          if (depth === 0) {
            out += c;
            pos++;
            return { text: out, line: startLine };
          }
        } else if (c === '\n') throw syntax(line, 'xuống dòng trong chuỗi', 'line break inside a string');
      } else if (c === '"') {
        inString = true;
        started = true;
      } else if (c === '{' || c === '[') {
        depth++;
        started = true;
      } else if (c === '}' || c === ']') {
        if (depth === 0) return { text: out, line: startLine };
        depth--;
        if (depth === 0) {
          out += c;
          pos++;
          return { text: out, line: startLine };
        }
      } else if (c === ',' && depth === 0) {
        return { text: out, line: startLine };
      } else if (WS.has(c)) {
        if (depth === 0 && started) return { text: out, line: startLine };
      } else started = true;
      if (c === '\n') line++;
      out += c;
      pos++;
      if (out.length > maxChars) {
        throw new ChisoError({
          code: 'json.element_too_large',
          file,
          row: startLine,
          vi: `Tệp ${file}, dòng ${startLine}: phần tử quá lớn (trên ${maxChars} ký tự).`,
          en: `File ${file}, line ${startLine}: an element is too large (over ${maxChars} characters).`,
        });
      }
    }
  }

  function parse(t: { text: string; line: number }): unknown {
    try {
      return JSON.parse(t.text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const at = m ? t.line + (t.text.slice(0, Number(m[1])).match(/\n/g)?.length ?? 0) : t.line;
      throw syntax(at, (e as Error).message, (e as Error).message);
    }
  }

  async function* arrayElements(key: string | null): AsyncGenerator<JsonEvent> {
    await expect('[', "cần '['", "expected '['");
    let index = 0;
    let c = await skipWs();
    if (c === ']') {
      pos++;
      return;
    }
    for (;;) {
      c = await skipWs();
      if (c === null) throw truncated();
      const t = await valueText();
      if (t.text === '') throw syntax(line, `phần tử trống`, 'empty element');
      yield { kind: 'element', key, index: index++, line: t.line, value: parse(t) };
      c = await skipWs();
      if (c === null) throw truncated();
      if (c === ',') {
        pos++;
        continue;
      }
      if (c === ']') {
        pos++;
        return;
      }
      throw syntax(line, `cần ',' hoặc ']' (gặp '${c}')`, `expected ',' or ']' (found '${c}')`);
    }
  }

  const c0 = await skipWs();
  if (c0 === null) {
    throw new ChisoError({
      code: 'file.empty',
      file,
      vi: `Tệp ${file} trống.`,
      en: `File ${file} is empty.`,
    });
  }
  if (c0 === '[') {
    yield* arrayElements(null);
  } else if (c0 === '{') {
    pos++;
    let c = await skipWs();
    if (c === '}') pos++;
    else {
      for (;;) {
        c = await skipWs();
        if (c === null) throw truncated();
        if (c !== '"')
          throw syntax(line, `cần tên trường (gặp '${c}')`, `expected a member name (found '${c}')`);
        const keyText = await valueText();
        const key = parse(keyText) as string;
        await expect(':', "cần ':'", "expected ':'");
        c = await skipWs();
        if (c === null) throw truncated();
        if (streamKeys.has(key) && c === '[') yield* arrayElements(key);
        else {
          const t = await valueText();
          yield { kind: 'member', key, line: t.line, value: parse(t) };
        }
        c = await skipWs();
        if (c === null) throw truncated();
        if (c === ',') {
          pos++;
          continue;
        }
        if (c === '}') {
          pos++;
          break;
        }
        throw syntax(line, `cần ',' hoặc '}' (gặp '${c}')`, `expected ',' or '}' (found '${c}')`);
      }
    }
  } else {
    throw syntax(line, "tệp phải bắt đầu bằng '[' hoặc '{'", "the file must start with '[' or '{'");
  }
  const tail = await skipWs();
  if (tail !== null)
    throw syntax(line, 'thừa nội dung sau khi JSON đã đóng', 'content after the end of the JSON');
}
