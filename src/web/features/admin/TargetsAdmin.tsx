/**
 * Administration: targets with filters (indicator, level or unit, year) and a diacritic-insensitive
 * search, each linking to its edit form and archivable with a reason (confirmed in a dialog); below,
 * the targets that disagree (several documents setting different targets for the same indicator,
 * scope and period), each archivable too. "Archived targets" shows the history with when and why.
 */
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { CheckboxField, FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatTarget, useLevels, useNames, yearOf } from '../../lib/catalogue.ts';
import { formatDate, formatNumber, formatPeriod } from '../../lib/format.ts';
import type { Indicator, ListOf, Target, TargetConflict } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { type ArchiveTarget, ArchiveTargetDialog } from './ArchiveTargetDialog.tsx';
import { adminCrumbs, RequireAdmin } from './form.tsx';

const SYMBOL: Record<string, string> = { '>=': '≥', '<=': '≤', '=': '=' };

function TargetsAdmin() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState('');
  const indicator = params.get('indicator') ?? '';
  const level = params.get('level') ?? '';
  const year = params.get('year') ?? '';
  const unit = params.get('unit') ?? '';
  // kept in the page's state too, so that the checkbox follows the click at once (the URL follows)
  const [archived, setArchived] = useState(params.get('archived') === '1');
  const [archiving, setArchiving] = useState<ArchiveTarget | null>(null);
  const [message, setMessage] = useState('');
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  const list = useApi<ListOf<Target>>(
    '/api/targets',
    { indicator, level, archived: archived ? 'true' : undefined, limit: 1000 },
    { fresh: true, keep: true },
  );
  const conflicts = useApi<{ items: TargetConflict[] }>(
    '/api/targets/conflicts',
    { indicator, level },
    { fresh: true },
  );
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const levels = useLevels();
  const levelName = useNames(levels, lang);
  const unitsWithTargets = useMemo(() => {
    const m = new Map<string, string>();
    for (const x of list.data?.items ?? [])
      if (x.org_unit_code) m.set(x.org_unit_code, x.org_unit_name_vi ?? x.org_unit_code);
    return [...m]
      .map(([value, label]) => ({ value, label }))
      .sort((a, b) => a.label.localeCompare(b.label, 'vi'));
  }, [list.data]);
  const years = useMemo(
    () => [...new Set((list.data?.items ?? []).map((x) => yearOf(x.period)))].sort(),
    [list.data],
  );
  const rows = useMemo(
    () =>
      (list.data?.items ?? []).filter(
        (x) =>
          (!year || String(yearOf(x.period)) === year) &&
          (!unit || x.org_unit_code === unit) &&
          (!q ||
            matchesVi(
              [
                x.indicator_code,
                x.indicator_name_vi,
                x.indicator_name_en ?? '',
                x.org_unit_code ?? '',
                x.org_unit_name_vi ?? '',
                x.source_document ?? '',
              ].join(' '),
              q,
            )),
      ),
    [list.data, year, unit, q],
  );
  const scopeText = (x: Pick<Target, 'scope' | 'org_unit_name_vi' | 'org_level'>) =>
    x.scope === 'unit'
      ? (x.org_unit_name_vi ?? '')
      : t('overview.everyUnitOf', { level: levelName(x.org_level) });
  const describe = (x: Target) =>
    [x.indicator_code, formatPeriod(lang, x.period), scopeText(x), formatTarget(lang, x)].join(' · ');
  const columns: Array<Column<Target>> = [
    {
      key: 'indicator',
      header: t('overview.col.indicator'),
      rowHeader: true,
      sort: (x) => x.indicator_code,
      cell: (x) => (
        <span className="indicator-name">
          <span className="code">{x.indicator_code}</span>
          <Link to={`/admin/targets/${x.id}`}>{pick(lang, x.indicator_name_vi, x.indicator_name_en)}</Link>
        </span>
      ),
      className: 'col-wide',
    },
    {
      key: 'period',
      header: t('indicator.col.period'),
      sort: (x) => x.period,
      cell: (x) => formatPeriod(lang, x.period),
    },
    {
      key: 'scope',
      header: t('overview.col.scope'),
      sort: (x) => x.org_unit_name_vi ?? levelName(x.org_level),
      cell: (x) =>
        x.scope === 'unit'
          ? x.org_unit_name_vi
          : t('overview.everyUnitOf', { level: levelName(x.org_level) }),
    },
    {
      key: 'target',
      header: t('indicator.col.target'),
      cell: (x) => <strong>{formatTarget(lang, x)}</strong>,
    },
    {
      key: 'baseline',
      header: t('admin.target.baseline'),
      cell: (x) =>
        x.baseline_value === null
          ? '–'
          : `${formatNumber(lang, x.baseline_value)}${x.baseline_period ? ` (${x.baseline_period})` : ''}`,
    },
    {
      key: 'document',
      header: t('admin.target.sourceDocument'),
      cell: (x) => <span className="code">{x.source_document ?? '–'}</span>,
    },
    ...(archived
      ? [
          {
            key: 'archived',
            header: t('admin.targets.archivedAt'),
            sort: (x: Target) => x.archived_at,
            cell: (x: Target) => (x.archived_at ? formatDate(lang, x.archived_at.slice(0, 10)) : '–'),
          },
          {
            key: 'reason',
            header: t('admin.targets.archiveReason'),
            cell: (x: Target) => x.archive_reason ?? '–',
            className: 'col-wide',
          },
        ]
      : [
          {
            key: 'actions',
            header: t('admin.targets.actions'),
            cell: (x: Target) => (
              <button
                type="button"
                className="btn btn-secondary btn-small"
                aria-label={t('admin.targets.archiveLabel', { target: describe(x) })}
                onClick={() => setArchiving({ id: x.id, label: describe(x), version: x.version })}
              >
                {t('admin.targets.archive')}
              </button>
            ),
          },
        ]),
  ];
  const archivedDone = (ok: boolean) => {
    const was = archiving;
    setArchiving(null);
    if (!ok || !was) return;
    setMessage(t('admin.targets.archivedDone', { target: was.label }));
    list.reload();
    conflicts.reload();
    requestAnimationFrame(() => document.getElementById('targets-message')?.focus());
  };
  return (
    <>
      <PageHeader
        title={t('admin.targets.title')}
        crumbs={adminCrumbs(t)}
        lead={<p>{t('admin.targets.lead')}</p>}
        actions={
          <Link
            className="btn btn-primary"
            to={`/admin/targets/new${indicator ? `?indicator=${encodeURIComponent(indicator)}` : ''}`}
          >
            {t('admin.targets.new')}
          </Link>
        }
      />
      <FilterBar
        count={list.data && t('common.shownOf', { shown: rows.length, total: list.data.items.length })}
      >
        <SearchBox value={q} onChange={setQ} label={t('admin.targets.search')} />
        <SelectField
          label={t('admin.target.indicator')}
          value={indicator}
          onChange={(v) => setParam('indicator', v)}
          allLabel={t('common.all')}
          options={(indicators.data?.items ?? []).map((i) => ({
            value: i.code,
            label: `${i.code} — ${pick(lang, i.name_vi, i.name_en)}`,
          }))}
        />
        <SelectField
          label={t('overview.filter.level')}
          value={level}
          onChange={(v) => setParam('level', v)}
          allLabel={t('common.all')}
          options={(levels ?? []).map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) }))}
        />
        <SelectField
          label={t('admin.targets.unit')}
          value={unit}
          onChange={(v) => setParam('unit', v)}
          allLabel={t('common.all')}
          options={unitsWithTargets}
        />
        <SelectField
          label={t('admin.targets.year')}
          value={year}
          onChange={(v) => setParam('year', v)}
          allLabel={t('common.all')}
          options={years.map((y) => ({ value: String(y), label: String(y) }))}
        />
        <CheckboxField
          label={t('admin.targets.showArchived')}
          checked={archived}
          onChange={(on) => {
            setArchived(on);
            setParam('archived', on ? '1' : '');
          }}
        />
      </FilterBar>
      {message && (
        <p className="notice notice-success" role="status" id="targets-message" tabIndex={-1}>
          {message}
        </p>
      )}
      {archiving && <ArchiveTargetDialog target={archiving} onClose={archivedDone} />}
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <Loading />}
      {list.data && (
        <Table
          caption={archived ? t('admin.targets.archivedTitle') : t('admin.targets.title')}
          captionHidden
          columns={columns}
          rows={rows}
          rowKey={(x) => x.id}
          limit={100}
        />
      )}
      {!archived && (
        <Section id="conflicts" title={t('admin.targets.conflictsTitle')}>
          <p className="muted">{t('admin.targets.conflictsLead')}</p>
          {conflicts.error && <ErrorBox error={conflicts.error} onRetry={conflicts.reload} />}
          {conflicts.data && conflicts.data.items.length === 0 && (
            <Empty>{t('admin.targets.noConflicts')}</Empty>
          )}
          {conflicts.data && conflicts.data.items.length > 0 && (
            <ul className="conflict-list">
              {conflicts.data.items
                .filter((c) => !year || String(yearOf(c.period)) === year)
                .map((c) => (
                  <li key={`${c.indicator_code}|${c.period}|${c.scope}`} className="card">
                    <h3 className="h3">
                      <span className="code">{c.indicator_code}</span> {c.indicator_name_vi} ·{' '}
                      {formatPeriod(lang, c.period)}
                    </h3>
                    <p className="muted small">
                      {c.scope.startsWith('level:')
                        ? t('overview.everyUnitOf', { level: levelName(c.scope.slice(6)) })
                        : c.scope.slice(5)}
                    </p>
                    <ul>
                      {c.targets.map((x) => {
                        const value =
                          x.comparator === 'range'
                            ? `${formatNumber(lang, x.value)}–${formatNumber(lang, x.value_max)}`
                            : `${SYMBOL[x.comparator] ?? x.comparator} ${formatNumber(lang, x.value)}`;
                        const label = [
                          c.indicator_code,
                          formatPeriod(lang, c.period),
                          value,
                          t('admin.targets.setBy', { document: x.source_document ?? '–' }),
                        ].join(' · ');
                        return (
                          <li key={x.id} className="conflict-target">
                            <span>
                              <Link to={`/admin/targets/${x.id}`}>{value}</Link>{' '}
                              <span className="muted">
                                {t('admin.targets.setBy', { document: x.source_document ?? '–' })}
                              </span>
                            </span>
                            <button
                              type="button"
                              className="btn btn-secondary btn-small"
                              aria-label={t('admin.targets.archiveLabel', { target: label })}
                              onClick={() => setArchiving({ id: x.id, label })}
                            >
                              {t('admin.targets.archive')}
                            </button>
                            {x.quote && <q className="quote">{x.quote}</q>}
                          </li>
                        );
                      })}
                    </ul>
                  </li>
                ))}
            </ul>
          )}
        </Section>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <TargetsAdmin />
    </RequireAdmin>
  );
}
