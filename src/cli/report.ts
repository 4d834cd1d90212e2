/**
 * `npx chiso report quarterly --period 2024Q4 --out FILE.docx` — the quarterly consolidated report.
 * The format follows the file's extension: .docx (Decree 30 layout), .xlsx (the annex) or .pdf
 * (through LibreOffice, which must be installed). Options: --date YYYY-MM-DD, --number N,
 * --symbol BC-XXX, --subject "…".
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ChisoError } from '../core/errors.ts';
import type { Store } from '../store/db.ts';

export interface ReportArgs {
  kind: string | undefined;
  period: string | undefined;
  out: string | undefined;
  date?: string | undefined;
  number?: string | undefined;
  symbol?: string | undefined;
  subject?: string | undefined;
}

export async function runReport(store: Store, args: ReportArgs): Promise<string> {
  if (args.kind !== 'quarterly' || !args.period || !args.out)
    throw new ChisoError({
      code: 'cli.usage',
      vi: 'Cách dùng: npx chiso report quarterly --period 2024Q4 --out TỆP.docx|.xlsx|.pdf',
      en: 'Usage: npx chiso report quarterly --period 2024Q4 --out FILE.docx|.xlsx|.pdf',
    });
  const { quarterlyReportDocx, quarterlyReportXlsx } = await import('../app/exchange/quarterly-report.ts');
  const ext = extname(args.out).toLowerCase();
  const options = {
    ...(args.date ? { date: args.date } : {}),
    ...(args.number ? { number: args.number } : {}),
    ...(args.symbol ? { symbol: args.symbol } : {}),
    ...(args.subject ? { subject: args.subject } : {}),
  };
  if (args.date && !/^\d{4}-\d{2}-\d{2}$/.test(args.date))
    throw new ChisoError({
      code: 'cli.date',
      field: 'date',
      vi: `Ngày '${args.date}' phải có dạng YYYY-MM-DD.`,
      en: `The date '${args.date}' must be YYYY-MM-DD.`,
    });
  let bytes: Buffer;
  if (ext === '.docx') bytes = await quarterlyReportDocx(store, args.period, options);
  else if (ext === '.xlsx') bytes = await quarterlyReportXlsx(store, args.period);
  else if (ext === '.pdf') {
    const { convertToPdf } = await import('../app/exchange/pdf.ts');
    bytes = await convertToPdf(await quarterlyReportDocx(store, args.period, options), 'docx');
  } else
    throw new ChisoError({
      code: 'cli.extension',
      field: 'out',
      vi: `Tệp ra phải có đuôi .docx, .xlsx hoặc .pdf (nhận được '${ext || args.out}').`,
      en: `The output file must end in .docx, .xlsx or .pdf (got '${ext || args.out}').`,
    });
  writeFileSync(args.out, bytes);
  return args.out;
}
