/**
 * Public feedback (góp ý) on a plan, a task (target: its id) or an indicator: what others wrote and the answers of the
 * responsible unit, and a form to write (name and contact optional). The form carries the server's
 * signed token and a field people never see (spam without third-party services).
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Section } from '../../components/Page.tsx';
import { Empty, ErrorBox } from '../../components/States.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { formatDate } from '../../lib/format.ts';
import type { ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';

interface PublicFeedback {
  id: number;
  body: string;
  author_name: string | null;
  status: 'new' | 'answered';
  created_at: string;
  routed_unit_name_vi: string;
  answer: string | null;
  answered_at: string | null;
}

export function FeedbackSection({ kind, target }: { kind: 'plan' | 'task' | 'indicator'; target: string }) {
  const { t, lang } = useI18n();
  const uid = useId();
  const list = useApi<ListOf<PublicFeedback>>(
    '/api/feedback',
    { [kind]: target, limit: 100 },
    { fresh: true },
  );
  const [token, setToken] = useState<string | null>(null);
  const [body, setBody] = useState('');
  const [name, setName] = useState('');
  const [contact, setContact] = useState('');
  const [website, setWebsite] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const newToken = () =>
    api.get<{ token: string }>('/api/feedback/token').then(
      (r) => setToken(r.token),
      () => setToken(null),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: one token per form shown
  useEffect(() => {
    void newToken();
  }, [target]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/feedback', {
        target_kind: kind,
        target,
        body,
        author_name: name.trim() || null,
        author_contact: contact.trim() || null,
        token,
        website: website || null,
      });
      setSent(true);
      setBody('');
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
      void newToken();
    }
  };

  const items = list.data?.items ?? [];
  return (
    <Section id="feedback" title={t('feedback.title')}>
      {items.length === 0 ? (
        <Empty>{t('feedback.none')}</Empty>
      ) : (
        <ul className="feedback-list">
          {items.map((f) => (
            <li key={f.id}>
              <p className="muted small">
                {t('feedback.by', {
                  name: f.author_name || t('feedback.anonymous'),
                  date: formatDate(lang, f.created_at),
                })}
              </p>
              <blockquote>{f.body}</blockquote>
              {f.answer ? (
                <div className="feedback-answer">
                  <p className="small">
                    <strong>
                      {t('feedback.answeredBy', {
                        unit: f.routed_unit_name_vi,
                        date: formatDate(lang, f.answered_at),
                      })}
                    </strong>
                  </p>
                  <p>{f.answer}</p>
                </div>
              ) : (
                <p className="small muted">{t('feedback.waiting', { unit: f.routed_unit_name_vi })}</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="form feedback-form" onSubmit={onSubmit} noValidate>
        <h3>{t('feedback.write')}</h3>
        {sent && (
          <p className="notice notice-success" role="status">
            {t('feedback.sent')}
          </p>
        )}
        {error && <ErrorBox error={error} />}
        <div className="field">
          <label htmlFor={`${uid}-b`}>{t('feedback.body')}</label>
          <textarea
            id={`${uid}-b`}
            rows={4}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            required
          />
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${uid}-n`}>{t('feedback.name')}</label>
            <input
              id={`${uid}-n`}
              type="text"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-c`}>{t('feedback.contact')}</label>
            <input
              id={`${uid}-c`}
              type="text"
              autoComplete="email"
              value={contact}
              onChange={(e) => setContact(e.target.value)}
            />
          </div>
        </div>
        <div className="hp" aria-hidden="true">
          <label htmlFor={`${uid}-w`}>{t('feedback.website')}</label>
          <input
            id={`${uid}-w`}
            type="text"
            tabIndex={-1}
            autoComplete="off"
            value={website}
            onChange={(e) => setWebsite(e.target.value)}
          />
        </div>
        <p className="muted small">{t('feedback.privacy')}</p>
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !token || body.trim().length < 10}
          >
            {t('feedback.send')}
          </button>
        </div>
      </form>
    </Section>
  );
}
