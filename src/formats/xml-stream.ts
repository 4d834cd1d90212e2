/**
 * Streamed XML: elements and text as they arrive, chunk by chunk, so that a DHIS2 or ADX file of any
 * size is read in constant memory. Built on saxes (a conformant, non-validating SAX parser already
 * installed with exceljs); element and attribute names lose their namespace prefix (`adx:group` →
 * `group`), namespace declarations are dropped, and whitespace-only text is skipped.
 *
 * saxes expands only the XML predefined and character entities: a document type with entity
 * definitions (the "billion laughs") is refused as a syntax error, not expanded.
 *
 * A fault is a ChisoError with the line and column: `xml.truncated` when the text ends inside an
 * element, an attribute or a tag (the file was cut short), `xml.syntax` otherwise.
 */
import { SaxesParser } from 'saxes';
import { ChisoError } from '../core/errors.ts';

export type XmlEvent =
  | { kind: 'open'; name: string; attributes: Record<string, string>; line: number }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const local = (name: string): string => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

function xmlError(e: Error, file: string, atEnd: boolean, lastLine: number): ChisoError {
  const m = /^(?:.*?:)?(\d+):(\d+): ([\s\S]*)$/.exec(e.message);
  const line = m ? Number(m[1]) : lastLine;
  const column = m ? Number(m[2]) : 0;
  const msg = m ? m[3]! : e.message;
  const cut =
    atEnd && /unclosed|unexpected end|incomplete|root element/i.test(msg) && !/must contain/i.test(msg);
  return new ChisoError({
    code: cut ? 'xml.truncated' : 'xml.syntax',
    file,
    row: line,
    column,
    vi: `Tệp ${file}, dòng ${line}: XML không hợp lệ${cut ? ' (tệp bị cắt cụt?)' : ''} — ${msg}`,
    en: `File ${file}, line ${line}: invalid XML${cut ? ' (truncated file?)' : ''} — ${msg}`,
  });
}

/**
 * The events of an XML text, one array per chunk of input (an array may be empty). The caller
 * consumes them as they come; nothing of the document is kept here beyond the current chunk.
 */
export async function* xmlEvents(text: AsyncIterable<string>, file: string): AsyncGenerator<XmlEvent[]> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let out: XmlEvent[] = [];
  let line = 1;
  let openLine = 1;
  parser.on('opentagstart', () => {
    openLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes as Record<string, string>)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      attributes[local(k)] = v;
    }
    out.push({ kind: 'open', name: local(tag.name), attributes, line: openLine });
  });
  parser.on('closetag', (tag) => {
    out.push({ kind: 'close', name: local(tag.name) });
  });
  const onText = (t: string) => {
    if (t.trim() !== '') out.push({ kind: 'text', text: t });
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  for await (const chunk of text) {
    try {
      parser.write(chunk);
    } catch (e) {
      throw xmlError(e as Error, file, false, parser.line);
    }
    line = parser.line;
    const ready = out;
    out = [];
    yield ready;
  }
  try {
    parser.close();
  } catch (e) {
    throw xmlError(e as Error, file, true, line);
  }
  if (out.length) yield out;
}
