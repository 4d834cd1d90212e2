/**
 * The task-progress part of the data-entry form: one group of fields per task the submission's unit
 * leads or coordinates (the form's task items) — status, percent complete, narrative, evidence (a
 * reference and/or a file of the submission), completion date. Saved with the values in one request
 * (PUT /api/submissions/:id/values {tasks}); errors of the API come back per field (tasks.N.field).
 */
import { Link } from 'react-router';
import { useState } from 'react';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { formatPeriod } from '../../lib/format.ts';
import type { Attachment } from '../../lib/rounds.ts';

export const TASK_STATUSES = ['not_started', 'in_progress', 'done', 'blocked'] as const;

export interface TaskReport {
  id: number;
  state: 'draft' | 'submitted' | 'approved';
  status: (typeof TASK_STATUSES)[number];
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  attachment: { id: number; filename: string } | null;
  completed_on: string | null;
  version: number;
}

export interface TaskItem {
  position: number;
  section: string | null;
  required: boolean;
  task_id: number;
  plan: string;
  number: string;
  title_vi: string;
  title_en: string | null;
  output_vi: string | null;
  output_en: string | null;
  deadline_vi: string;
  deadline_en: string;
  role: 'lead' | 'co_lead' | 'coordinating';
  report: TaskReport | null;
  last: { period: string; status: string; percent: number | null } | null;
}

export interface TaskDraft {
  status: string;
  percent: string;
  narrative: string;
  evidence: string;
  attachment: number | null;
  completed_on: string;
}

export interface TaskPayload {
  task: number;
  status: string;
  percent: number | null;
  narrative: string | null;
  evidence: string | null;
  attachment: number | null;
  completed_on: string | null;
  version: number;
}

export const taskFieldId = (taskId: number, field = 'status') => `task-${taskId}-${field}`;

const toDraft = (r: TaskReport | null): TaskDraft => ({
  status: r?.status ?? '',
  percent: r?.percent === null || r?.percent === undefined ? '' : String(r.percent),
  narrative: r?.narrative ?? '',
  evidence: r?.evidence ?? '',
  attachment: r?.attachment?.id ?? null,
  completed_on: r?.completed_on ?? '',
});

export function taskDraftsFrom(items: TaskItem[]): Record<number, TaskDraft> {
  return Object.fromEntries(items.map((i) => [i.task_id, toDraft(i.report)]));
}

const same = (a: TaskDraft, b: TaskDraft) =>
  a.status === b.status &&
  a.percent.trim() === b.percent.trim() &&
  a.narrative.trim() === b.narrative.trim() &&
  a.evidence.trim() === b.evidence.trim() &&
  a.attachment === b.attachment &&
  a.completed_on === b.completed_on;

/** The tasks whose fields changed since loading (a task without a status is not sent). */
export function changedTasks(items: TaskItem[], drafts: Record<number, TaskDraft>): TaskItem[] {
  return items.filter((i) => {
    const d = drafts[i.task_id];
    return d !== undefined && d.status !== '' && !same(d, toDraft(i.report));
  });
}

/** The request items of the changed tasks; a percent that is not a whole number is a local error. */
export function taskPayload(
  items: TaskItem[],
  drafts: Record<number, TaskDraft>,
  notANumber: string,
): { payload: TaskPayload[]; local: Record<number, string[]> } {
  const payload: TaskPayload[] = [];
  const local: Record<number, string[]> = {};
  for (const i of changedTasks(items, drafts)) {
    const d = drafts[i.task_id]!;
    const p = d.percent.trim().replace(/%$/, '').trim();
    const percent = p === '' ? null : Number(p.replace(',', '.'));
    if (percent !== null && !Number.isFinite(percent)) {
      local[i.task_id] = [notANumber];
      continue;
    }
    payload.push({
      task: i.task_id,
      status: d.status,
      percent,
      narrative: d.narrative.trim() || null,
      evidence: d.evidence.trim() || null,
      attachment: d.attachment,
      completed_on: d.status === 'done' ? d.completed_on || null : null,
      version: i.report?.version ?? 0,
    });
  }
  return { payload, local };
}

/** Maps the API's errors on `tasks.N.*` to the task ids of the request. */
export function taskErrorsFrom(
  items: Array<{ field?: string | null; vi: string; en: string }>,
  payload: TaskPayload[],
  lang: 'vi' | 'en',
): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const item of items) {
    const m = /^tasks\.(\d+)/.exec(item.field ?? '');
    const id = m ? payload[Number(m[1])]?.task : undefined;
    if (id !== undefined) out[id] = [...(out[id] ?? []), lang === 'en' ? item.en : item.vi];
  }
  return out;
}

export function TaskProgressFields({
  submissionId,
  items,
  drafts,
  onChange,
  errors,
  canEdit,
  files,
  onUploaded,
}: {
  submissionId: number;
  items: TaskItem[];
  drafts: Record<number, TaskDraft>;
  onChange(taskId: number, draft: TaskDraft): void;
  errors: Record<number, string[]>;
  canEdit: boolean;
  /** The submission's files not tied to an indicator: evidence a task may point to. */
  files: Attachment[];
  onUploaded(): void;
}) {
  const { t, lang } = useI18n();
  if (!items.length) return null;
  return (
    <section className="task-entries" aria-labelledby="task-entries-h">
      <h2 id="task-entries-h" className="h3">
        {t('taskForm.title')}
      </h2>
      <p className="muted small">{t('taskForm.help')}</p>
      {items.map((i) => (
        <TaskEntry
          key={i.task_id}
          submissionId={submissionId}
          item={i}
          draft={drafts[i.task_id] ?? toDraft(i.report)}
          onChange={(d) => onChange(i.task_id, d)}
          errors={errors[i.task_id] ?? []}
          canEdit={canEdit}
          files={files}
          onUploaded={onUploaded}
          lang={lang}
        />
      ))}
    </section>
  );
}

function TaskEntry({
  submissionId,
  item: i,
  draft: d,
  onChange,
  errors,
  canEdit,
  files,
  onUploaded,
  lang,
}: {
  submissionId: number;
  item: TaskItem;
  draft: TaskDraft;
  onChange(d: TaskDraft): void;
  errors: string[];
  canEdit: boolean;
  files: Attachment[];
  onUploaded(): void;
  lang: 'vi' | 'en';
}) {
  const { t } = useI18n();
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => taskFieldId(i.task_id, f);
  const set = (patch: Partial<TaskDraft>) => onChange({ ...d, ...patch });
  const errId = errors.length ? id('err') : '';
  const upload = async (file: File) => {
    setBusy(true);
    setUploadError(null);
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      const a = await api.post<{ id: number }>(`/api/submissions/${submissionId}/attachments`, body);
      onUploaded();
      set({ attachment: a.id });
    } catch (e) {
      setUploadError((e as ApiError).text(lang));
    } finally {
      setBusy(false);
    }
  };
  const roleKey =
    i.role === 'coordinating'
      ? 'taskForm.roleCoordinating'
      : i.role === 'co_lead'
        ? 'taskForm.roleCoLead'
        : 'taskForm.roleLead';
  const percentDisabled = d.status === 'done' || d.status === 'not_started';
  return (
    <fieldset
      className={errors.length ? 'entry task-entry has-error' : 'entry task-entry'}
      id={`task-${i.task_id}`}
      aria-describedby={errId || undefined}
    >
      <legend>
        <span className="code">{i.number}</span>
        <span className="task-title-text">{pick(lang, i.title_vi, i.title_en)}</span>
        {i.required && <span className="required"> ({t('form.required')})</span>}
      </legend>
      <p className="task-facts small">
        <span>{t(roleKey)}</span>
        {i.deadline_vi && (
          <span>{t('plans.deadline', { deadline: pick(lang, i.deadline_vi, i.deadline_en) })}</span>
        )}
        <span>
          {i.last
            ? t('taskForm.last', {
                period: formatPeriod(lang, i.last.period),
                status: t(`taskForm.status.${i.last.status as (typeof TASK_STATUSES)[number]}`),
                percent: i.last.percent ?? 0,
              })
            : t('taskForm.noLast')}
        </span>
        <Link to={`/plans/${encodeURIComponent(i.plan)}/tasks/${encodeURIComponent(i.number)}`}>
          {t('taskForm.open')}
        </Link>
      </p>
      {errors.length > 0 && (
        <ul id={errId} className="field-error">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <div className="task-grid">
        <div className="field">
          <label htmlFor={id('status')}>{t('taskForm.statusLabel')}</label>
          <select
            id={id('status')}
            value={d.status}
            disabled={!canEdit}
            aria-required={i.required}
            aria-invalid={errors.length > 0}
            onChange={(e) => {
              const status = e.target.value;
              set({
                status,
                percent: status === 'done' ? '100' : status === 'not_started' ? '0' : d.percent,
                completed_on: status === 'done' ? d.completed_on : '',
              });
            }}
          >
            <option value="">{t('taskForm.choose')}</option>
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`taskForm.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('percent')}>{t('taskForm.percent')}</label>
          <div className="input-unit">
            <input
              id={id('percent')}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              value={d.percent}
              readOnly={!canEdit || percentDisabled}
              onChange={(e) => set({ percent: e.target.value })}
              aria-describedby={id('percent-help')}
            />
            <span className="unit" aria-hidden="true">
              %
            </span>
          </div>
          <span id={id('percent-help')} className="muted small">
            {t('taskForm.percentHelp')}
          </span>
        </div>
        {d.status === 'done' && (
          <div className="field">
            <label htmlFor={id('done')}>{t('taskForm.completedOn')}</label>
            <input
              id={id('done')}
              type="date"
              value={d.completed_on}
              readOnly={!canEdit}
              onChange={(e) => set({ completed_on: e.target.value })}
            />
          </div>
        )}
      </div>
      <div className="field">
        <label htmlFor={id('narrative')}>
          {d.status === 'blocked' ? t('taskForm.narrativeBlocked') : t('taskForm.narrative')}
        </label>
        <textarea
          id={id('narrative')}
          rows={3}
          value={d.narrative}
          readOnly={!canEdit}
          aria-required={d.status === 'blocked'}
          onChange={(e) => set({ narrative: e.target.value })}
        />
      </div>
      <div className="task-grid">
        <div className="field">
          <label htmlFor={id('evidence')}>{t('taskForm.evidence')}</label>
          <input
            id={id('evidence')}
            type="text"
            autoComplete="off"
            value={d.evidence}
            readOnly={!canEdit}
            onChange={(e) => set({ evidence: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={id('file')}>{t('taskForm.file')}</label>
          <select
            id={id('file')}
            value={d.attachment ?? ''}
            disabled={!canEdit}
            onChange={(e) => set({ attachment: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">{t('taskForm.noFile')}</option>
            {files.map((f) => (
              <option key={f.id} value={f.id}>
                {f.filename}
              </option>
            ))}
          </select>
        </div>
      </div>
      {canEdit && (
        <div className="field">
          <label htmlFor={id('upload')}>{t('taskForm.upload')}</label>
          <input
            id={id('upload')}
            type="file"
            accept=".pdf,.png,.jpg,.jpeg,.xlsx,.docx,.csv,.txt"
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
              e.target.value = '';
            }}
          />
          {uploadError && (
            <p className="field-error" role="alert">
              {uploadError}
            </p>
          )}
        </div>
      )}
      {i.report && i.report.state !== 'draft' && (
        <p className="muted small">{t(`taskForm.state.${i.report.state}`)}</p>
      )}
    </fieldset>
  );
}
