/**
 * Reviewing one submission: each value beside the previous period's, the warnings and the
 * reporter's explanations, the evidence and the history; approve, or return with a comment.
 */
import { useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { formatChange, formatDate, formatDateTime, formatPeriod, formatValue } from '../../lib/format.ts';
import type {
  Attachment,
  Submission,
  SubmissionEvent,
  SubmissionItem,
  ValidationReport,
} from '../../lib/rounds.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { RequireAuth } from '../auth/RequireAuth.tsx';
import { SubmissionActions } from '../admin-workflow/SubmissionActions.tsx';
import { StatusPill } from '../workspace/StatusPill.tsx';

function Review({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const data = useApi<{ submission: Submission; items: SubmissionItem[] }>(
    `/api/submissions/${id}/values`,
    undefined,
    { fresh: true },
  );
  const validation = useApi<ValidationReport>(`/api/submissions/${id}/validation`, undefined, {
    fresh: true,
  });
  const events = useApi<{ items: SubmissionEvent[] }>(`/api/submissions/${id}/events`, undefined, {
    fresh: true,
  });
  const files = useApi<{ items: Attachment[] }>(`/api/submissions/${id}/attachments`, undefined, {
    fresh: true,
  });
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [commentError, setCommentError] = useState(false);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const uid = useId();

  if (data.error) return <ErrorBox error={data.error} />;
  if (!data.data) return <Loading />;
  const s = data.data.submission;
  const reviewable = s.status === 'submitted';

  const act = async (action: 'approve' | 'return') => {
    if (action === 'return' && comment.trim().length === 0) {
      setCommentError(true);
      commentRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/submissions/${id}/${action}`, {
        version: s.version,
        comment: comment.trim() || (action === 'approve' ? null : comment),
      });
      invalidate('/api/inbox', '/api/values', '/api/submissions', '/api/targets');
      navigate('/workspace/review', { replace: false, state: { done: action } });
    } catch (e) {
      setError(e as ApiError);
      setBusy(false);
      data.reload();
    }
  };

  const columns: Array<Column<SubmissionItem>> = [
    {
      key: 'indicator',
      header: t('overview.col.indicator'),
      rowHeader: true,
      cell: (i) => (
        <span className="indicator-name">
          <span className="code">{i.indicator}</span>
          {pick(lang, i.name_vi, i.name_en)}
        </span>
      ),
      className: 'col-wide',
    },
    {
      key: 'previous',
      header: t('review.previous'),
      numeric: true,
      cell: (i) =>
        i.previous ? (
          <>
            {formatValue(lang, i.previous.value, i.unit)}
            <span className="sub">{formatPeriod(lang, i.previous.period)}</span>
          </>
        ) : (
          '–'
        ),
    },
    {
      key: 'value',
      header: t('review.reported'),
      numeric: true,
      cell: (i) => <strong>{formatValue(lang, i.value, i.unit)}</strong>,
    },
    {
      key: 'change',
      header: t('indicator.col.change'),
      numeric: true,
      cell: (i) =>
        i.change === null
          ? '–'
          : `${formatChange(lang, i.change)}${i.change_pct === null ? '' : ` (${formatChange(lang, i.change_pct, 1)}%)`}`,
    },
    {
      key: 'notes',
      header: t('review.notes'),
      cell: (i) => (
        <>
          {i.comment && <span className="sub">{i.comment}</span>}
          {(validation.data?.warnings ?? [])
            .filter((w) => w.indicator === i.indicator)
            .map((w) => (
              <span key={w.key} className="sub warning-note">
                {pick(lang, w.vi, w.en)}
                {s.warning_comments?.[w.key] && (
                  <>
                    {' — '}
                    <em>{s.warning_comments[w.key]}</em>
                  </>
                )}
              </span>
            ))}
          {i.attachments > 0 && <span className="sub">{t('review.files', { count: i.attachments })}</span>}
        </>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        kicker={`${s.form} · ${formatPeriod(lang, s.period)}`}
        title={s.org_unit_name_vi}
        crumbs={[
          { to: '/workspace', label: t('nav.workspace') },
          { to: '/workspace/review', label: t('review.title') },
        ]}
        actions={<StatusPill status={s.status} late={s.late} />}
        lead={
          <p>
            {t('review.submittedBy', {
              who: s.submitted_by ?? '–',
              at: formatDateTime(lang, s.submitted_at),
            })}{' '}
            · {t('workspace.deadline', { date: formatDate(lang, s.deadline) })}
          </p>
        }
      />
      {error && <ErrorBox error={error} />}
      <Section id="values" title={t('review.valuesTitle')}>
        <Table
          caption={t('review.valuesTitle')}
          captionHidden
          columns={columns}
          rows={data.data.items}
          rowKey={(i) => i.indicator}
        />
      </Section>
      {(files.data?.items.length ?? 0) > 0 && (
        <Section id="files" title={t('review.evidence')}>
          <ul className="files">
            {files.data!.items.map((f) => (
              <li key={f.id}>
                <a href={`/api/attachments/${f.id}`}>{f.filename}</a>{' '}
                {f.indicator && <span className="code small">{f.indicator}</span>}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {reviewable && (
        <Section id="decision" title={t('review.decision')}>
          <div className={commentError ? 'field has-error' : 'field'}>
            <label htmlFor={`${uid}-c`}>{t('review.comment')}</label>
            <p id={`${uid}-h`} className="muted small">
              {t('review.commentHelp')}
            </p>
            <textarea
              id={`${uid}-c`}
              ref={commentRef}
              rows={3}
              value={comment}
              aria-describedby={`${uid}-h${commentError ? ` ${uid}-e` : ''}`}
              aria-invalid={commentError}
              onChange={(e) => {
                setComment(e.target.value);
                setCommentError(false);
              }}
            />
            {commentError && (
              <p id={`${uid}-e`} className="field-error">
                {t('review.commentRequired')}
              </p>
            )}
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => act('approve')}>
              {t('review.approve')}
            </button>
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => act('return')}>
              {t('review.return')}
            </button>
          </div>
        </Section>
      )}
      {(s.status === 'approved' || s.status === 'locked') && (
        <Section id="after-approval" title={t('adminWf.sub.title')}>
          <SubmissionActions submission={s} onDone={data.reload} />
        </Section>
      )}
      <Section id="history" title={t('review.history')}>
        {events.data ? (
          <ol className="timeline">
            {events.data.items.map((e) => (
              <li key={e.id}>
                <span className="muted small">{formatDateTime(lang, e.at)}</span> <strong>{e.actor}</strong>{' '}
                <StatusPill status={e.to_status} />
                {e.comment && <blockquote>{e.comment}</blockquote>}
              </li>
            ))}
          </ol>
        ) : (
          <Loading />
        )}
      </Section>
      <p>
        <Link to="/workspace/review">{t('review.back')}</Link>
      </p>
    </>
  );
}

export function Component() {
  const id = Number(useParams().id);
  return <RequireAuth>{Number.isInteger(id) && id > 0 ? <Review id={id} /> : null}</RequireAuth>;
}
