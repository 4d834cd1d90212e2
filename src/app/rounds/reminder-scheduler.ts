/**
 * The reminder scheduler of the server: off unless CHISO_REMINDERS_HOUR is set. Every
 * CHISO_REMINDERS_INTERVAL_MINUTES (default 30) — and once shortly after start — it checks the hour
 * in Vietnam; from CHISO_REMINDERS_HOUR (0–23) on it runs `sendDueReminders`, which e-mails each late
 * submission at most once that day (claims in `reminder_delivery`), so further runs the same day,
 * restarts, and other server processes on the same PostgreSQL send nothing twice. A run that fails
 * is logged and tried again at the next tick; ticks of one process never overlap.
 */
import { ChisoError } from '../../core/errors.ts';
import type { Store } from '../../store/db.ts';
import { VN_OFFSET_MS } from './access.ts';
import { type DueReminderOutcome, sendDueReminders } from './send-due-reminders.ts';
import type { Mailer } from './send-reminders.ts';

export interface ReminderSchedule {
  /** The hour of the day in Vietnam (0–23) from which reminders are sent. */
  hour: number;
  intervalMs: number;
}

/** The schedule of CHISO_REMINDERS_HOUR / CHISO_REMINDERS_INTERVAL_MINUTES, or null (off). */
export function reminderScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): ReminderSchedule | null {
  const raw = env.CHISO_REMINDERS_HOUR;
  if (raw === undefined || raw === '' || raw.toLowerCase() === 'off') return null;
  const hour = Number(raw);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23)
    throw new ChisoError({
      code: 'config.invalid',
      status: 500,
      field: 'CHISO_REMINDERS_HOUR',
      vi: `CHISO_REMINDERS_HOUR phải là giờ trong ngày từ 0 đến 23 (giờ Việt Nam), không phải '${raw}'.`,
      en: `CHISO_REMINDERS_HOUR must be an hour of the day from 0 to 23 (Vietnam time), not '${raw}'.`,
    });
  const minutesRaw = env.CHISO_REMINDERS_INTERVAL_MINUTES;
  const minutes = minutesRaw === undefined || minutesRaw === '' ? 30 : Number(minutesRaw);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 24 * 60)
    throw new ChisoError({
      code: 'config.invalid',
      status: 500,
      field: 'CHISO_REMINDERS_INTERVAL_MINUTES',
      vi: `CHISO_REMINDERS_INTERVAL_MINUTES phải là số phút từ 1 đến 1440, không phải '${minutesRaw}'.`,
      en: `CHISO_REMINDERS_INTERVAL_MINUTES must be a number of minutes from 1 to 1440, not '${minutesRaw}'.`,
    });
  return { hour, intervalMs: minutes * 60_000 };
}

export interface SchedulerDeps {
  store: Store;
  /** The mailer at the time of a run (configuration may change); null: nothing is sent. */
  mailer: () => Mailer | null;
  publicUrl: string;
  log: { info(o: object, msg: string): void; error(o: object, msg: string): void };
  now?: () => Date;
  /** Delay of the first tick after start (default 5 s). */
  firstTickMs?: number;
}

export interface ReminderScheduler {
  /** Runs one tick now (what the timer does); resolves with the run's outcome, or null when not due. */
  tick(): Promise<DueReminderOutcome | null>;
  stop(): Promise<void>;
}

export function startReminderScheduler(schedule: ReminderSchedule, deps: SchedulerDeps): ReminderScheduler {
  const now = deps.now ?? (() => new Date());
  let running: Promise<DueReminderOutcome | null> | null = null;
  let stopped = false;
  const run = async (): Promise<DueReminderOutcome | null> => {
    const at = now();
    const hour = new Date(at.getTime() + VN_OFFSET_MS).getUTCHours();
    if (hour < schedule.hour) return null;
    const mailer = deps.mailer();
    if (!mailer) {
      deps.log.error({}, 'reminders: CHISO_REMINDERS_HOUR is set but CHISO_SMTP_URL is not; nothing sent');
      return null;
    }
    const out = await sendDueReminders(deps.store, mailer, deps.publicUrl, { now: at });
    if (out.sent.length || out.failed.length)
      deps.log.info(
        { sent: out.sent.length, failed: out.failed.length, skipped: out.skipped.length, day: out.day },
        'reminders sent',
      );
    return out;
  };
  const tick = (): Promise<DueReminderOutcome | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= run()
      .catch((e: unknown) => {
        deps.log.error({ err: e }, 'reminders: the run failed; trying again at the next tick');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void tick(), deps.firstTickMs ?? 5_000);
  const timer = setInterval(() => void tick(), schedule.intervalMs);
  first.unref();
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
