/**
 * A unit's feedback inbox (/workspace/feedback): the public feedback routed to the units in the
 * reviewer's scope — unanswered first — with the sender's contact (never public), a public answer
 * per item, the time each answer took and the mean response time. GET /api/feedback/inbox,
 * POST /api/feedback/:id/answer.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { FilterBar, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { type Translate, useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { formatDate } from '../../lib/format.ts';
import { useApi } from '../../lib/useApi.ts';
import { RequireAuth } from '../auth/RequireAuth.tsx';

interface InboxItem {
  id: number;
  target_kind: 'plan' | 'task' | 'indicator';
  plan: string | null;
  task_id: number | null;
  task_number: string | null;
  indicator: string | null;
  body: string;
  author_name: string | null;
  author_contact: string | null;
  status: 'new' | 'answered' | 'hidden';
  created_at: string;
  routed_unit: string;
  routed_unit_name_vi: string;
  answer: string | null;
  answered_at: string | null;
  response_time_seconds: number | null;
  hidden_reason: string | null;
  version: number;
}

interface Inbox {
  items: InboxItem[];
  total: number;
  summary: { new: number; answered: number; hidden: number; mean_response_seconds: number | null };
}

/** A duration in minutes, hours or days, rounded. */
export function duration(t: Translate, seconds: number): string {
  if (seconds < 3600) return t('inbox.minutes', { n: Math.max(1, Math.round(seconds / 60)) });
  if (seconds < 2 * 86400) return t('inbox.hours', { n: Math.round(seconds / 3600) });
  return t('inbox.days', { n: Math.round(seconds / 86400) });
}

function targetOf(f: InboxItem, t: Translate): { label: string; to: string } {
  if (f.target_kind === 'task' && f.plan && f.task_number)
    return {
      label: t('taskPage.kicker', { number: f.task_number, plan: f.plan }),
      to: `/plans/${encodeURIComponent(f.plan)}/tasks/${encodeURIComponent(f.task_number)}`,
    };
  if (f.target_kind === 'plan' && f.plan)
    return { label: f.plan, to: `/plans/${encodeURIComponent(f.plan)}` };
  return { label: f.indicator ?? '', to: `/indicators/${encodeURIComponent(f.indicator ?? '')}` };
}

function Item({ f, onAnswered }: { f: InboxItem; onAnswered(): void }) {
  const { t, lang } = useI18n();
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const target = targetOf(f, t);
  const fid = `answer-${f.id}`;
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/feedback/${f.id}/answer`, { answer: answer.trim(), version: f.version });
      setAnswer('');
      onAnswered();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const waited = Math.max(0, (Date.now() - Date.parse(f.created_at)) / 1000);
  return (
    <li className={`inbox-item inbox-${f.status}`}>
      <p className="small">
        <strong>
          {t('inbox.about')}
          <Link to={target.to}>{target.label}</Link>
        </strong>{' '}
        <span className="muted">
          · {t('inbox.received', { date: formatDate(lang, f.created_at), unit: f.routed_unit_name_vi })}
        </span>
      </p>
      <blockquote>{f.body}</blockquote>
      <p className="muted small">
        {t('feedback.by', {
          name: f.author_name || t('feedback.anonymous'),
          date: formatDate(lang, f.created_at),
        })}
        {f.author_contact && <> · {t('inbox.contact', { contact: f.author_contact })}</>}
      </p>
      {f.status === 'hidden' && (
        <p className="small">{t('inbox.hiddenReason', { reason: f.hidden_reason ?? '' })}</p>
      )}
      {f.answer ? (
        <div className="feedback-answer">
          <p className="small">
            <strong>
              {t('feedback.answeredBy', {
                unit: f.routed_unit_name_vi,
                date: formatDate(lang, f.answered_at),
              })}
            </strong>{' '}
            {f.response_time_seconds !== null && (
              <span className="badge">
                {t('inbox.responseTime', { time: duration(t, f.response_time_seconds) })}
              </span>
            )}
          </p>
          <p>{f.answer}</p>
        </div>
      ) : (
        f.status === 'new' && (
          <form className="form" onSubmit={onSubmit} noValidate>
            <p className="small muted">{t('inbox.waitingFor', { time: duration(t, waited) })}</p>
            {error && <ErrorBox error={error} />}
            <div className="field">
              <label htmlFor={fid}>{t('inbox.answerLabel')}</label>
              <textarea
                id={fid}
                rows={3}
                value={answer}
                onChange={(e) => setAnswer(e.target.value)}
                required
              />
            </div>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={busy || answer.trim().length < 2}>
                {busy ? t('inbox.answering') : t('inbox.answer')}
              </button>
            </div>
          </form>
        )
      )}
    </li>
  );
}

function InboxView() {
  const { t } = useI18n();
  const [status, setStatus] = useState('');
  const [done, setDone] = useState(false);
  const inbox = useApi<Inbox>(
    '/api/feedback/inbox',
    { limit: 100, ...(status ? { status } : {}) },
    { fresh: true },
  );
  if (inbox.error) return <ErrorBox error={inbox.error} onRetry={inbox.reload} />;
  const s = inbox.data?.summary;
  return (
    <>
      <PageHeader
        kicker={t('nav.workspace')}
        title={t('inbox.title')}
        crumbs={[{ to: '/workspace', label: t('nav.workspace') }]}
        lead={<p>{t('inbox.lead')}</p>}
      />
      {s && (
        <ul className="status-summary" aria-label={t('inbox.filter')}>
          <li>
            <span className="dot dot-at_risk" aria-hidden="true" />
            {t('inbox.new')}: {s.new}
          </li>
          <li>
            <span className="dot dot-achieved" aria-hidden="true" />
            {t('inbox.answered')}: {s.answered}
          </li>
          <li>
            <span className="dot dot-not_assessed" aria-hidden="true" />
            {t('inbox.hidden')}: {s.hidden}
          </li>
          {s.mean_response_seconds !== null && (
            <li>{t('inbox.mean', { time: duration(t, s.mean_response_seconds) })}</li>
          )}
        </ul>
      )}
      {done && (
        <p className="notice notice-success" role="status">
          {t('inbox.answered_ok')}
        </p>
      )}
      <FilterBar count={inbox.data ? t('inbox.count', { count: inbox.data.total }) : ''}>
        <SelectField
          label={t('inbox.filter')}
          value={status}
          onChange={setStatus}
          allLabel={t('common.all')}
          options={[
            { value: 'new', label: t('inbox.new') },
            { value: 'answered', label: t('inbox.answered') },
            { value: 'hidden', label: t('inbox.hidden') },
          ]}
        />
      </FilterBar>
      {!inbox.data ? (
        <Loading />
      ) : inbox.data.items.length === 0 ? (
        <Empty>{t('inbox.none')}</Empty>
      ) : (
        <ul className="feedback-list inbox-list">
          {inbox.data.items.map((f) => (
            <Item
              key={f.id}
              f={f}
              onAnswered={() => {
                setDone(true);
                inbox.reload();
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAuth>
      <InboxView />
    </RequireAuth>
  );
}
