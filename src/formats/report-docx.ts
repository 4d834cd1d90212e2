/**
 * An official report (báo cáo) as .docx in the layout of Decree 30/2020/NĐ-CP, Phụ lục I
 * (../shared/reference/vietnam.md §1): A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm;
 * Times New Roman; page numbers centred in the top margin, not on page 1; the header block as a
 * borderless two-column table — parent body (upper case, 13) and issuing body (upper case, bold, 13,
 * a rule of about 40 % of its width under it) on the left, the national motto (quốc hiệu upper case
 * bold 12, tiêu ngữ bold 13 underlined as long as the text) on the right; "Số: …/BC-…" (13) under
 * the issuer on the same line as the italic place and date (13) under the motto; the type "BÁO CÁO"
 * and the summary line (bold 14, a short rule under it); body 14, justified, first-line indent 1 cm,
 * 6 pt after; headings "I. …" upper case bold; the signature block (bold 14) beside "Nơi nhận:"
 * (bold italic 12) and its list (11). Pure: a model in, bytes out.
 */
import {
  AlignmentType,
  BorderStyle,
  convertMillimetersToTwip,
  Document,
  Header,
  LineRuleType,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';

export interface ReportTable {
  /** Column headers and relative widths (they are scaled to the text width). */
  columns: Array<{ title: string; width: number; align?: 'left' | 'center' | 'right' }>;
  rows: string[][];
  caption?: string;
}

export type ReportBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'paragraph'; text: string; italic?: boolean }
  | { kind: 'table'; table: ReportTable };

export interface OfficialReport {
  /** Tên cơ quan chủ quản, one entry per line (upper case is applied). */
  parentBody: string[];
  /** Tên cơ quan ban hành, one entry per line. */
  issuer: string[];
  /** Số (may be blank: the văn thư fills it in) and ký hiệu, e.g. 'BC-STTTT'. */
  number: string;
  symbol: string;
  place: string;
  /** ISO date of the document. */
  date: string;
  /** "BÁO CÁO" */
  typeName: string;
  /** Trích yếu. */
  summary: string;
  /** Kính gửi (optional). */
  recipientsTo?: string[];
  body: ReportBlock[];
  signer: { authority: string; position?: string; name?: string };
  /** Nơi nhận, each without the leading "- "; the last is usually "Lưu: VT, …". */
  distribution: string[];
  /** Document properties. */
  title?: string;
  creator?: string;
}

const FONT = 'Times New Roman';
const pt = (n: number) => n * 2; // docx sizes are half-points
const mm = convertMillimetersToTwip;

export const PAGE = {
  width: mm(210),
  height: mm(297),
  top: mm(20),
  bottom: mm(20),
  left: mm(30),
  right: mm(15),
};
/** The width of the text column, in twips. */
export const TEXT_WIDTH = PAGE.width - PAGE.left - PAGE.right;
const LEFT_COL = mm(64);
const RIGHT_COL = TEXT_WIDTH - LEFT_COL;

const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER };
const NO_TABLE_BORDERS = { ...NO_BORDERS, insideHorizontal: NO_BORDER, insideVertical: NO_BORDER };
const LINE = { style: BorderStyle.SINGLE, size: 6, color: '000000' };

/** Rough width of a line of Times New Roman text, in twips (for the length of rules). */
export function textWidthTwips(text: string, sizePt: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (ch === ' ') em += 0.25;
    else if (/[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ-ỹ]/.test(ch) && ch === ch.toUpperCase() && ch !== ch.toLowerCase())
      em += bold ? 0.72 : 0.68;
    else if (/[.,:;'!|il]/.test(ch)) em += 0.28;
    else em += bold ? 0.5 : 0.47;
  }
  return Math.round(em * sizePt * 20);
}

function run(
  text: string,
  o: { size?: number; bold?: boolean; italics?: boolean; underline?: boolean } = {},
) {
  return new TextRun({
    text,
    font: FONT,
    size: pt(o.size ?? 14),
    bold: o.bold ?? false,
    italics: o.italics ?? false,
    ...(o.underline ? { underline: {} } : {}),
  });
}

function centred(children: TextRun[], spacing: { before?: number; after?: number } = {}) {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: {
      before: spacing.before ?? 0,
      after: spacing.after ?? 0,
      line: 240,
      lineRule: LineRuleType.AUTO,
    },
    children,
  });
}

/** A centred horizontal rule of `length` twips inside a column of `width` twips. */
function rule(length: number, width: number) {
  const indent = Math.max(0, Math.round((width - length) / 2));
  return new Paragraph({
    indent: { left: indent, right: indent },
    spacing: { before: 0, after: 0, line: 120, lineRule: LineRuleType.EXACT },
    border: { bottom: LINE },
    children: [],
  });
}

function cell(children: Paragraph[], width: number, o: { borders?: boolean; shade?: boolean } = {}) {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    borders: o.borders ? undefined : NO_BORDERS,
    verticalAlign: VerticalAlign.TOP,
    margins: o.borders
      ? { top: 40, bottom: 40, left: 80, right: 80 }
      : { top: 0, bottom: 0, left: 0, right: 0 },
    ...(o.shade ? { shading: { fill: 'F2F2F2' } } : {}),
    children,
  });
}

/** The header block (ô 1–4). */
/** Splits a line that does not fit into two lines of about equal width, at a space. */
export function balancedLines(text: string, sizePt: number, bold: boolean, width: number): string[] {
  if (textWidthTwips(text, sizePt, bold) <= width) return [text];
  const words = text.split(' ');
  let best: string[] = [text];
  let bestDiff = Number.POSITIVE_INFINITY;
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(' ');
    const b = words.slice(i).join(' ');
    const diff = Math.abs(textWidthTwips(a, sizePt, bold) - textWidthTwips(b, sizePt, bold));
    if (diff < bestDiff) {
      bestDiff = diff;
      best = [a, b];
    }
  }
  return best;
}

function headerBlock(r: OfficialReport): Table {
  const issuerText = r.issuer.flatMap((s) => balancedLines(s.toUpperCase(), 13, true, LEFT_COL - 200));
  const issuerWidth = Math.max(...issuerText.map((s) => textWidthTwips(s, 13, true)));
  const left = [
    ...r.parentBody.map((s) => centred([run(s.toUpperCase(), { size: 13 })])),
    ...issuerText.map((s) => centred([run(s, { size: 13, bold: true })])),
    rule(Math.round(Math.min(issuerWidth, LEFT_COL) * 0.4), LEFT_COL),
  ];
  const right = [
    centred([run('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { size: 12, bold: true })]),
    centred([run('Độc lập - Tự do - Hạnh phúc', { size: 13, bold: true, underline: true })]),
  ];
  const [y, m, d] = r.date.split('-');
  const numberText = r.number ? r.number.padStart(2, '0') : '\u00a0'.repeat(8);
  const dateLine = `${r.place}, ngày ${d} tháng ${m} năm ${y}`;
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [LEFT_COL, RIGHT_COL],
    layout: TableLayoutType.FIXED,
    borders: NO_TABLE_BORDERS,
    rows: [
      new TableRow({ children: [cell(left, LEFT_COL), cell(right, RIGHT_COL)] }),
      new TableRow({
        children: [
          cell([centred([run(`Số: ${numberText}/${r.symbol}`, { size: 13 })], { before: 120 })], LEFT_COL),
          cell([centred([run(dateLine, { size: 13, italics: true })], { before: 120 })], RIGHT_COL),
        ],
      }),
    ],
  });
}

function bodyParagraph(text: string, italic = false) {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: mm(10) },
    spacing: { before: 0, after: 120, line: 276, lineRule: LineRuleType.AUTO },
    children: [run(text, { italics: italic })],
  });
}

function heading(text: string, sub = false) {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: mm(10) },
    keepNext: true,
    spacing: { before: 120, after: 120, line: 276, lineRule: LineRuleType.AUTO },
    children: [run(sub ? text : text.toUpperCase(), { bold: true })],
  });
}

const ALIGN = { left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT } as const;

function dataTable(t: ReportTable): Array<Paragraph | Table> {
  const total = t.columns.reduce((s, c) => s + c.width, 0);
  const widths = t.columns.map((c) => Math.floor((c.width / total) * TEXT_WIDTH));
  const p = (text: string, o: { bold?: boolean; align?: 'left' | 'center' | 'right' } = {}) =>
    new Paragraph({
      alignment: ALIGN[o.align ?? 'left'],
      spacing: { before: 0, after: 0, line: 240, lineRule: LineRuleType.AUTO },
      children: [run(text, { size: 12, bold: o.bold ?? false })],
    });
  const head = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: t.columns.map((c, i) =>
      cell([p(c.title, { bold: true, align: 'center' })], widths[i]!, { borders: true, shade: true }),
    ),
  });
  const body = t.rows.map(
    (r) =>
      new TableRow({
        cantSplit: true,
        children: t.columns.map((c, i) =>
          cell([p(r[i] ?? '', { align: c.align ?? 'left' })], widths[i]!, { borders: true }),
        ),
      }),
  );
  const out: Array<Paragraph | Table> = [];
  if (t.caption)
    out.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        keepNext: true,
        spacing: { before: 120, after: 60 },
        children: [run(t.caption, { size: 13, bold: true })],
      }),
    );
  out.push(
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      rows: [head, ...body],
    }),
  );
  out.push(new Paragraph({ spacing: { before: 0, after: 120 }, children: [] }));
  return out;
}

function signatureBlock(r: OfficialReport): Table {
  const leftW = Math.round(TEXT_WIDTH * 0.5);
  const rightW = TEXT_WIDTH - leftW;
  const left = [
    new Paragraph({
      spacing: { before: 0, after: 0 },
      children: [run('Nơi nhận:', { size: 12, bold: true, italics: true })],
    }),
    ...r.distribution.map(
      (d) => new Paragraph({ spacing: { before: 0, after: 0 }, children: [run(`- ${d}`, { size: 11 })] }),
    ),
  ];
  const right = [
    centred([run(r.signer.authority.toUpperCase(), { bold: true })]),
    ...(r.signer.position ? [centred([run(r.signer.position.toUpperCase(), { bold: true })])] : []),
    ...Array.from({ length: 4 }, () => centred([run('')])),
    centred([run(r.signer.name ?? '', { bold: true })]),
  ];
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [leftW, rightW],
    layout: TableLayoutType.FIXED,
    borders: NO_TABLE_BORDERS,
    rows: [new TableRow({ cantSplit: true, children: [cell(left, leftW), cell(right, rightW)] })],
  });
}

export async function officialReportDocx(r: OfficialReport): Promise<Buffer> {
  const summaryWidth = textWidthTwips(r.summary, 14, true);
  const children: Array<Paragraph | Table> = [
    headerBlock(r),
    centred([run(r.typeName.toUpperCase(), { bold: true })], { before: 360 }),
    centred([run(r.summary, { bold: true })]),
    rule(Math.round(Math.min(summaryWidth, TEXT_WIDTH) * 0.4), TEXT_WIDTH),
  ];
  if (r.recipientsTo?.length) {
    children.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { before: 240, after: 240 },
        children: [run(`Kính gửi: ${r.recipientsTo.join('; ')}.`)],
      }),
    );
  } else children.push(new Paragraph({ spacing: { before: 0, after: 240 }, children: [] }));
  for (const b of r.body) {
    if (b.kind === 'heading') children.push(heading(b.text));
    else if (b.kind === 'subheading') children.push(heading(b.text, true));
    else if (b.kind === 'paragraph') children.push(bodyParagraph(b.text, b.italic));
    else children.push(...dataTable(b.table));
  }
  children.push(new Paragraph({ spacing: { before: 0, after: 120 }, children: [] }));
  children.push(signatureBlock(r));
  const doc = new Document({
    creator: r.creator ?? 'chiso',
    title: r.title ?? `${r.typeName} ${r.summary}`,
    description: `Số ${r.number || '…'}/${r.symbol}`,
    styles: {
      default: { document: { run: { font: FONT, size: pt(14) } } },
    },
    sections: [
      {
        properties: {
          titlePage: true,
          page: {
            size: { width: PAGE.width, height: PAGE.height, orientation: PageOrientation.PORTRAIT },
            margin: {
              top: PAGE.top,
              bottom: PAGE.bottom,
              left: PAGE.left,
              right: PAGE.right,
              header: mm(10),
              footer: mm(10),
            },
          },
        },
        headers: {
          default: new Header({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [PageNumber.CURRENT], font: FONT, size: pt(13) })],
              }),
            ],
          }),
          first: new Header({ children: [new Paragraph({ children: [] })] }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
