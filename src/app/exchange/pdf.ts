/**
 * PDF through LibreOffice (`soffice --headless --convert-to pdf`), when it is installed. Each
 * conversion uses its own temporary profile so that conversions can run side by side. Times New Roman
 * is replaced by the metric-compatible Liberation Serif (Debian package fonts-liberation) when the
 * Microsoft font is absent, so line breaks and page breaks stay as in Word.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChisoError } from '../../core/errors.ts';

let found: string | null | undefined;

/** The soffice executable, or null when LibreOffice is not installed. */
export function sofficePath(): string | null {
  if (found !== undefined) return found;
  const candidates = [process.env.CHISO_SOFFICE, 'soffice', 'libreoffice'].filter((c): c is string =>
    Boolean(c),
  );
  found = null;
  for (const c of candidates) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore', timeout: 60_000 });
      found = c;
      break;
    } catch {
      // not this one
    }
  }
  return found;
}

export const hasSoffice = (): boolean => sofficePath() !== null;

/** Converts a .docx or .xlsx to PDF. Throws `pdf.unavailable` (503) without LibreOffice. */
export async function convertToPdf(
  input: Buffer,
  extension: 'docx' | 'xlsx',
  timeoutMs = 120_000,
): Promise<Buffer> {
  const soffice = sofficePath();
  if (!soffice)
    throw new ChisoError({
      code: 'pdf.unavailable',
      status: 503,
      vi: 'Máy chủ chưa cài LibreOffice nên không xuất được PDF; hãy tải tệp .docx.',
      en: 'LibreOffice is not installed on the server, so no PDF can be made; download the .docx instead.',
    });
  const dir = await mkdtemp(join(tmpdir(), 'chiso-pdf-'));
  try {
    const src = join(dir, `report.${extension}`);
    await writeFile(src, input);
    await new Promise<void>((resolve, reject) => {
      execFile(
        soffice,
        [
          `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
          '--headless',
          '--norestore',
          '--convert-to',
          'pdf',
          '--outdir',
          dir,
          src,
        ],
        { timeout: timeoutMs },
        (err, _stdout, stderr) => {
          if (err)
            reject(
              new ChisoError({
                code: 'pdf.failed',
                status: 500,
                vi: `LibreOffice không chuyển được tệp sang PDF: ${String(stderr || err.message).slice(0, 300)}`,
                en: `LibreOffice could not convert the file to PDF: ${String(stderr || err.message).slice(0, 300)}`,
              }),
            );
          else resolve();
        },
      );
    });
    return await readFile(join(dir, 'report.pdf'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
