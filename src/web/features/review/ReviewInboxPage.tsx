/**
 * The review inbox: submitted reports waiting for the reviewer, with each value beside the previous
 * period's, filters, and approving many at once (each answered on its own).
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { CheckboxField, FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { type ApiError, api } from '../../lib/api.ts';
import { pick } from '../../i18n/i18n.tsx';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { formatChange, formatDate, formatDateTime, formatNumber, formatPeriod } from '../../lib/format.ts';
import type { ReviewerInboxItem } from '../../lib/rounds.ts';
import type { ListOf } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { RequireAuth } from '../auth/RequireAuth.tsx';

interface ApproveResult {
  items: Array<{ id: number; ok: boolean; error?: { vi: string; en: string } }>;
}

function Inbox() {
  const { t, lang } = useI18n();
  const inbox = useApi<ListOf<ReviewerInboxItem>>('/api/inbox/reviewer', { limit: 500 }, { fresh: true });
  const levels = useLevels();
  const levelName = useNames(levels, lang);
  const [q, setQ] = useState('');
  const [level, setLevel] = useState('');
  const [lateOnly, setLateOnly] = useState(false);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [result, setResult] = useState<{ ok: number; failed: Array<{ id: number; text: string }> } | null>(
    null,
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const items = useMemo(
    () =>
      (inbox.data?.items ?? []).filter(
        (i) =>
          (!level || i.org_level === level) &&
          (!lateOnly || i.late) &&
          (!q || matchesVi(`${i.org_unit} ${i.org_unit_name_vi} ${i.form} ${i.period}`, q)),
      ),
    [inbox.data, level, lateOnly, q],
  );
  const allShownSelected = items.length > 0 && items.every((i) => selected.has(i.submission_id));

  const approveSelected = async () => {
    const chosen = (inbox.data?.items ?? []).filter((i) => selected.has(i.submission_id));
    if (chosen.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<ApproveResult>('/api/submissions/approve', {
        items: chosen.map((i) => ({ id: i.submission_id, version: i.version })),
      });
      setResult({
        ok: r.items.filter((x) => x.ok).length,
        failed: r.items
          .filter((x) => !x.ok)
          .map((x) => ({ id: x.id, text: x.error ? pick(lang, x.error.vi, x.error.en) : '' })),
      });
      setSelected(new Set());
      invalidate('/api/inbox', '/api/values', '/api/submissions');
      inbox.reload();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  if (inbox.error) return <ErrorBox error={inbox.error} onRetry={inbox.reload} />;
  if (!inbox.data) return <Loading />;
  const levelsPresent = [...new Set(inbox.data.items.map((i) => i.org_level))];
  return (
    <>
      {result && (
        <div className={result.failed.length ? 'state state-error' : 'notice notice-success'} role="status">
          <p>{t('review.approvedMany', { count: result.ok })}</p>
          {result.failed.length > 0 && (
            <ul>
              {result.failed.map((f) => (
                <li key={f.id}>{t('review.failedOne', { id: f.id, reason: f.text })}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {inbox.data.items.length === 0 ? (
        <Empty>{t('review.empty')}</Empty>
      ) : (
        <>
          <FilterBar count={t('common.shownOf', { shown: items.length, total: inbox.data.items.length })}>
            <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
            {levelsPresent.length > 1 && (
              <SelectField
                label={t('overview.filter.level')}
                value={level}
                onChange={setLevel}
                allLabel={t('common.all')}
                options={levelsPresent.map((l) => ({ value: l, label: levelName(l) }))}
              />
            )}
            <CheckboxField label={t('review.lateOnly')} checked={lateOnly} onChange={setLateOnly} />
          </FilterBar>
          <div className="bulk-bar">
            <CheckboxField
              label={t('review.selectAll')}
              checked={allShownSelected}
              onChange={(on) =>
                setSelected((s) => {
                  const n = new Set(s);
                  for (const i of items) {
                    if (on) n.add(i.submission_id);
                    else n.delete(i.submission_id);
                  }
                  return n;
                })
              }
            />
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || selected.size === 0}
              onClick={approveSelected}
            >
              {t('review.approveSelected', { count: selected.size })}
            </button>
          </div>
          <ul className="review-list">
            {items.map((i) => (
              <li key={i.submission_id} className="review-item">
                <div className="review-check">
                  <input
                    id={`sel-${i.submission_id}`}
                    type="checkbox"
                    checked={selected.has(i.submission_id)}
                    onChange={(e) =>
                      setSelected((s) => {
                        const n = new Set(s);
                        if (e.target.checked) n.add(i.submission_id);
                        else n.delete(i.submission_id);
                        return n;
                      })
                    }
                  />
                  <label htmlFor={`sel-${i.submission_id}`} className="visually-hidden">
                    {t('review.selectOne', { unit: i.org_unit_name_vi })}
                  </label>
                </div>
                <div className="review-main">
                  <p className="task-title">
                    <Link to={`/workspace/review/${i.submission_id}`}>{i.org_unit_name_vi}</Link>{' '}
                    {i.late && <span className="badge badge-off_track">{t('workflow.late')}</span>}
                  </p>
                  <p className="task-meta">
                    {i.form} · {formatPeriod(lang, i.period)} · {levelName(i.org_level)} ·{' '}
                    {t('review.submittedBy', {
                      who: i.submitted_by ?? '–',
                      at: formatDateTime(lang, i.submitted_at),
                    })}
                  </p>
                  <table className="table compare">
                    <caption className="visually-hidden">
                      {t('review.compareCaption', { unit: i.org_unit_name_vi })}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('overview.col.indicator')}</th>
                        <th scope="col" className="num">
                          {formatPeriod(lang, i.previous_period)}
                        </th>
                        <th scope="col" className="num">
                          {formatPeriod(lang, i.period)}
                        </th>
                        <th scope="col" className="num">
                          {t('indicator.col.change')}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {i.comparison.map((c) => (
                        <tr key={c.indicator}>
                          <th scope="row" className="code">
                            {c.indicator}
                          </th>
                          <td className="num">{formatNumber(lang, c.previous)}</td>
                          <td className="num">
                            <strong>{formatNumber(lang, c.value)}</strong>
                          </td>
                          <td className="num">
                            {c.change_pct === null ? '–' : `${formatChange(lang, c.change_pct, 1)}%`}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div className="review-side">
                  <p className="small muted">
                    {t('workspace.deadline', { date: formatDate(lang, i.deadline) })}
                  </p>
                  <Link className="btn btn-secondary" to={`/workspace/review/${i.submission_id}`}>
                    {t('review.open')}
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function Component() {
  const { t } = useI18n();
  return (
    <RequireAuth>
      <PageHeader
        title={t('review.title')}
        crumbs={[{ to: '/workspace', label: t('nav.workspace') }]}
        lead={<p>{t('review.lead')}</p>}
      />
      <Inbox />
    </RequireAuth>
  );
}
