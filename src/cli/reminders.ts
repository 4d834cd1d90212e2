/**
 * `chiso reminders send [--round ID] [--dry-run]`: e-mails the reporting contacts of every late
 * submission of open rounds (or of one round) through CHISO_SMTP_URL, at most once per submission and
 * day (see src/app/rounds/send-due-reminders.ts); a dry run lists what would be sent and sends nothing.
 * Exits 1 when a delivery failed.
 */
import { ChisoError } from '../core/errors.ts';
import { sendDueReminders } from '../app/rounds/send-due-reminders.ts';
import { mailerFromEnv } from '../app/rounds/send-reminders.ts';
import type { Store } from '../store/db.ts';

export const REMINDERS_HELP = `  reminders send [--round ID] [--dry-run]
                                e-mail the contacts of late units (CHISO_SMTP_URL), once per submission and day
`;

export async function remindersCli(
  store: Store,
  options: { round?: string | undefined; dryRun?: boolean; publicUrl: string; now?: Date },
  print: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let round: number | undefined;
  if (options.round !== undefined) {
    round = Number(options.round);
    if (!Number.isInteger(round) || round <= 0)
      throw new ChisoError({
        code: 'cli.invalid_option',
        field: 'round',
        vi: `--round phải là mã số của một đợt báo cáo, không phải '${options.round}'.`,
        en: `--round must be the id of a round, not '${options.round}'.`,
      });
  }
  const out = await sendDueReminders(store, mailerFromEnv(env), options.publicUrl, {
    round,
    dryRun: options.dryRun,
    ...(options.now ? { now: options.now } : {}),
  });
  const verb = out.dry_run ? 'would send' : 'sent';
  for (const s of out.sent)
    print(
      `${verb}: submission #${s.submission_id} (${s.org_unit}, round #${s.round_id}) → ${s.to.join(', ')}${s.rejected.length ? `; refused: ${s.rejected.join(', ')}` : ''}`,
    );
  for (const f of out.failed) print(`FAILED: submission #${f.submission_id} (${f.org_unit}): ${f.error}`);
  for (const s of out.skipped)
    print(
      `skipped: submission #${s.submission_id} (${s.org_unit}): ${s.reason === 'reminded_today' ? 'already reminded today' : 'sent or being sent by another run today'}`,
    );
  for (const n of out.no_contact)
    print(`no reporting contact: submission #${n.submission_id} (${n.org_unit})`);
  print(
    `${out.day}${out.dry_run ? ' (dry run)' : ''}: ${out.sent.length} ${verb}, ${out.failed.length} failed, ${out.skipped.length} skipped, ${out.no_contact.length} without contact`,
  );
  return out.failed.length > 0 ? 1 : 0;
}
