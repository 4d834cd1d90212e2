/**
 * The workspace home: for a reporter, the submissions that need them (returned first, then overdue,
 * then due); for a reviewer, how many reports wait for review.
 */
import { Link } from 'react-router';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatDate, formatPeriod } from '../../lib/format.ts';
import type { ReporterInboxItem, ReviewerInboxItem } from '../../lib/rounds.ts';
import { useSession } from '../../lib/session.tsx';
import type { ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { RequireAuth } from '../auth/RequireAuth.tsx';

function ReporterInbox() {
  const { t, lang } = useI18n();
  const inbox = useApi<ListOf<ReporterInboxItem>>('/api/inbox/reporter', { limit: 500 }, { fresh: true });
  if (inbox.error) return <ErrorBox error={inbox.error} onRetry={inbox.reload} />;
  if (!inbox.data) return <Loading />;
  const groups: Array<{ key: ReporterInboxItem['category']; title: string }> = [
    { key: 'returned', title: t('workspace.returned') },
    { key: 'overdue', title: t('workspace.overdue') },
    { key: 'due', title: t('workspace.due') },
  ];
  if (inbox.data.items.length === 0) return <Empty>{t('workspace.nothingDue')}</Empty>;
  return (
    <>
      {groups.map((g) => {
        const items = inbox.data!.items.filter((i) => i.category === g.key);
        if (items.length === 0) return null;
        return (
          <Section
            key={g.key}
            id={`inbox-${g.key}`}
            title={`${g.title} (${items.length})`}
            className={`inbox-${g.key}`}
          >
            <ul className="task-list">
              {items.map((i) => (
                <li key={i.submission_id} className="task">
                  <div className="task-main">
                    <p className="task-title">
                      <Link to={`/workspace/submissions/${i.submission_id}`}>
                        {pick(lang, i.form_name_vi, i.form_name_en)}
                      </Link>
                    </p>
                    <p className="task-meta">
                      {i.org_unit_name_vi} · {formatPeriod(lang, i.period)}
                    </p>
                    {i.return_comment && (
                      <div className="return-comment">
                        <p className="small">
                          <strong>{t('workspace.reviewerSaid')}</strong>
                        </p>
                        <blockquote>{i.return_comment}</blockquote>
                      </div>
                    )}
                  </div>
                  <div className="task-side">
                    <p className={i.days_left < 0 ? 'deadline overdue' : 'deadline'}>
                      {t('workspace.deadline', { date: formatDate(lang, i.deadline) })}
                      <span className="sub">
                        {i.days_left < 0
                          ? t('workspace.daysLate', { days: -i.days_left })
                          : i.days_left === 0
                            ? t('workspace.dueToday')
                            : t('workspace.daysLeft', { days: i.days_left })}
                      </span>
                    </p>
                    <Link className="btn btn-primary" to={`/workspace/submissions/${i.submission_id}`}>
                      {i.category === 'returned' ? t('workspace.correct') : t('workspace.enter')}
                    </Link>
                  </div>
                </li>
              ))}
            </ul>
          </Section>
        );
      })}
    </>
  );
}

function ReviewerSummary() {
  const { t } = useI18n();
  const inbox = useApi<ListOf<ReviewerInboxItem>>('/api/inbox/reviewer', { limit: 1 }, { fresh: true });
  if (inbox.error) return <ErrorBox error={inbox.error} onRetry={inbox.reload} />;
  if (!inbox.data) return <Loading />;
  return (
    <Section id="review" title={t('workspace.reviewTitle')}>
      <p>{t('workspace.waiting', { count: inbox.data.total })}</p>
      <Link className="btn btn-primary" to="/workspace/review">
        {t('workspace.openReview')}
      </Link>{' '}
      <Link className="btn btn-secondary" to="/workspace/feedback">
        {t('inbox.link')}
      </Link>
    </Section>
  );
}

function Home() {
  const { t } = useI18n();
  const { me, can } = useSession();
  return (
    <>
      <PageHeader
        title={t('workspace.title')}
        lead={<p>{t('workspace.hello', { name: me?.user.display_name ?? '' })}</p>}
      />
      <div className="grants">
        <h2 className="visually-hidden">{t('workspace.rolesTitle')}</h2>
        <ul className="chips">
          {me?.user.grants.map((g) => (
            <li key={g.id} className="chip">
              {t(`roles.${g.role}`)} · {g.org_unit_name_vi ?? t('workspace.everyUnit')}
            </li>
          ))}
        </ul>
      </div>
      {can('reviewer') && <ReviewerSummary />}
      {can('reporter') && (
        <>
          <h2 className="workspace-h2">{t('workspace.reportTitle')}</h2>
          <ReporterInbox />
        </>
      )}
      {!can('reporter') && !can('reviewer') && <Empty>{t('workspace.viewerOnly')}</Empty>}
    </>
  );
}

export function Component() {
  return (
    <RequireAuth>
      <Home />
    </RequireAuth>
  );
}
