/**
 * The programme overview (public): every target with its latest actual, trend and status, grouped by
 * pillar, filterable by year, level and pillar, searchable without diacritics.
 */
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { ProvenanceBadge, StatusBadge } from '../../components/Badges.tsx';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { IndicatorName } from '../../components/IndicatorName.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Sparkline } from '../../components/Sparkline.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { type Lang, pick, type Translate, useI18n } from '../../i18n/i18n.tsx';
import { formatTarget, useGroups, useLevels, useNames, yearOf } from '../../lib/catalogue.ts';
import {
  formatChange,
  formatNumber,
  formatPeriod,
  formatPeriodShort,
  formatValue,
} from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { DataValue, ListOf, Target, TargetConflict } from '../../lib/types.ts';
import { useApi, useApiAll } from '../../lib/useApi.ts';
import { EngineOverview } from './EngineOverview.tsx';
import { overviewQuery, type ProgressSummary } from './progress.ts';
import { type OverviewRow, overviewRows } from './rows.ts';

function TrendCell({ row, lang, t }: { row: OverviewRow; lang: Lang; t: Translate }) {
  const { latest, previous, series } = row;
  if (!latest || !previous || latest.value === null || previous.value === null) {
    return <span className="muted">{t('overview.noTrend')}</span>;
  }
  const change = latest.value - previous.value;
  const dir = row.target.comparator === '<=' ? -1 : 1;
  const good = change * dir > 0;
  const cls = change === 0 ? 'trend-flat' : good ? 'trend-good' : 'trend-bad';
  return (
    <span className={`trend ${cls}`}>
      <Sparkline values={series.map((v) => v.value as number)} />
      <span className="trend-text">
        {t('overview.changeSince', {
          change: formatChange(lang, change),
          period: formatPeriodShort(lang, previous.period),
        })}
      </span>
    </span>
  );
}

function CatalogueOverview() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState('');
  const year = params.get('year') ?? '';
  const level = params.get('level') ?? '';
  const group = params.get('group') ?? '';
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );

  const targets = useApi<ListOf<Target>>('/api/targets', { limit: 1000 });
  const conflicts = useApi<{ items: TargetConflict[] }>('/api/targets/conflicts');
  const levels = useLevels();
  const groups = useGroups();
  const levelName = useNames(levels, lang);
  const groupName = useNames(groups, lang);

  const unitCodes = useMemo(
    () =>
      [
        ...new Set((targets.data?.items ?? []).map((x) => x.org_unit_code).filter(Boolean) as string[]),
      ].sort(),
    [targets.data],
  );
  const valueUrls = useMemo(
    () => unitCodes.map((u) => `/api/values?org_unit=${encodeURIComponent(u)}&limit=1000`),
    [unitCodes],
  );
  const values = useApiAll<ListOf<DataValue>>(valueUrls);

  const rows = useMemo(() => {
    if (!targets.data || !values.data) return null;
    const conflictKeys = new Set((conflicts.data?.items ?? []).map((c) => `${c.indicator_code}|${c.period}`));
    return overviewRows(
      targets.data.items,
      values.data.flatMap((v) => v.items),
      conflictKeys,
    );
  }, [targets.data, values.data, conflicts.data]);

  const years = useMemo(
    () => [...new Set((targets.data?.items ?? []).map((x) => yearOf(x.period)))].sort((a, b) => a - b),
    [targets.data],
  );

  const filtered = useMemo(
    () =>
      (rows ?? []).filter(
        (r) =>
          (!year || String(yearOf(r.target.period)) === year) &&
          (!level || r.target.org_level === level) &&
          (!group || r.target.group === group) &&
          (!q ||
            matchesVi(
              [
                r.target.indicator_code,
                r.target.indicator_name_vi,
                r.target.indicator_name_en ?? '',
                r.target.org_unit_name_vi ?? '',
              ].join(' '),
              q,
            )),
      ),
    [rows, year, level, group, q],
  );

  const sections = useMemo(() => {
    const order = new Map((groups ?? []).map((g, i) => [g.code, i]));
    const m = new Map<string, OverviewRow[]>();
    for (const r of filtered) {
      const k = r.target.group ?? '';
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return [...m.entries()].sort(([a], [b]) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
  }, [filtered, groups]);

  const columns: Array<Column<OverviewRow>> = [
    {
      key: 'indicator',
      header: t('overview.col.indicator'),
      rowHeader: true,
      sort: (r) => r.target.indicator_code,
      cell: (r) => (
        <>
          <IndicatorName
            code={r.target.indicator_code}
            name={pick(lang, r.target.indicator_name_vi, r.target.indicator_name_en)}
          />
          {r.conflict && (
            <span className="badge badge-warning" title={t('overview.conflictHelp')}>
              {t('overview.conflict')}
            </span>
          )}
        </>
      ),
      className: 'col-wide',
    },
    {
      key: 'scope',
      header: t('overview.col.scope'),
      sort: (r) => r.target.org_unit_name_vi ?? levelName(r.target.org_level),
      cell: (r) =>
        r.target.scope === 'unit' && r.target.org_unit_code ? (
          <Link to={paths.unit(r.target.org_unit_code)}>{r.target.org_unit_name_vi}</Link>
        ) : (
          t('overview.everyUnitOf', { level: levelName(r.target.org_level) })
        ),
    },
    {
      key: 'target',
      header: t('overview.col.target'),
      sort: (r) => yearOf(r.target.period),
      cell: (r) => (
        <>
          <strong>{formatTarget(lang, r.target)}</strong>
          <span className="sub">{formatPeriod(lang, r.target.period)}</span>
        </>
      ),
    },
    {
      key: 'latest',
      header: t('overview.col.latest'),
      numeric: false,
      sort: (r) => r.latest?.value,
      cell: (r) =>
        r.target.scope === 'level' ? (
          <Link to={`${paths.indicator(r.target.indicator_code)}#breakdown`}>{t('overview.seeByUnit')}</Link>
        ) : r.latest ? (
          <>
            <strong>{formatValue(lang, r.latest.value, r.latest.unit_of_measure)}</strong>
            <span className="sub">
              {formatPeriod(lang, r.latest.period)} <ProvenanceBadge provenance={r.latest.provenance} />
            </span>
          </>
        ) : (
          <span className="muted">{t('overview.noData')}</span>
        ),
    },
    {
      key: 'trend',
      header: t('overview.col.trend'),
      cell: (r) =>
        r.target.scope === 'level' ? (
          <span className="muted">–</span>
        ) : (
          <TrendCell row={r} lang={lang} t={t} />
        ),
    },
    {
      key: 'status',
      header: t('overview.col.status'),
      sort: (r) => r.status,
      cell: (r) => (
        <>
          <StatusBadge status={r.status} />
          {r.attainment !== null && (
            <span className="sub">
              {t('overview.attainment', { value: formatNumber(lang, r.attainment, 0) })}
            </span>
          )}
        </>
      ),
    },
  ];

  const error = targets.error ?? values.error;
  const all = rows ?? [];
  const withData = all.filter((r) => r.latest).length;
  const assessed = all.filter((r) => r.status !== 'not_assessed').length;
  const anySynthetic = all.some((r) => r.latest?.provenance === 'synthetic');

  return (
    <>
      {error && (
        <ErrorBox error={error} onRetry={() => (targets.error ? targets.reload() : values.reload())} />
      )}
      {!error && !rows && <Loading />}
      {rows && (
        <>
          <ul className="stats" aria-label={t('overview.summary')}>
            <li>
              <span className="stat-value">{formatNumber(lang, all.length)}</span>
              <span className="stat-label">{t('overview.stat.targets')}</span>
            </li>
            <li>
              <span className="stat-value">
                {formatNumber(lang, new Set(all.map((r) => r.target.indicator_code)).size)}
              </span>
              <span className="stat-label">{t('overview.stat.indicators')}</span>
            </li>
            <li>
              <span className="stat-value">{formatNumber(lang, withData)}</span>
              <span className="stat-label">{t('overview.stat.withData')}</span>
            </li>
            <li>
              <span className="stat-value">{formatNumber(lang, assessed)}</span>
              <span className="stat-label">{t('overview.stat.assessed')}</span>
            </li>
          </ul>
          {assessed === 0 && (
            <div className="notice notice-info">
              <p>{t('overview.notAssessedNote')}</p>
            </div>
          )}
          {anySynthetic && (
            <div className="notice notice-warning">
              <p>{t('provenance.syntheticNote')}</p>
            </div>
          )}
          <FilterBar count={t('overview.shown', { shown: filtered.length, total: all.length })}>
            <SearchBox value={q} onChange={setQ} label={t('overview.searchLabel')} />
            <SelectField
              label={t('overview.filter.year')}
              value={year}
              onChange={(v) => setParam('year', v)}
              allLabel={t('common.all')}
              options={years.map((y) => ({ value: String(y), label: String(y) }))}
            />
            <SelectField
              label={t('overview.filter.level')}
              value={level}
              onChange={(v) => setParam('level', v)}
              allLabel={t('common.all')}
              options={(levels ?? []).map((l) => ({
                value: l.code,
                label: pick(lang, l.name_vi, l.name_en),
              }))}
            />
            <SelectField
              label={t('overview.filter.group')}
              value={group}
              onChange={(v) => setParam('group', v)}
              allLabel={t('common.all')}
              options={(groups ?? []).map((g) => ({
                value: g.code,
                label: pick(lang, g.name_vi, g.name_en),
              }))}
            />
          </FilterBar>
          {sections.length === 0 && <p className="state state-empty">{t('overview.noMatch')}</p>}
          {sections.map(([code, list]) => (
            <Section
              key={code || 'none'}
              id={`group-${code || 'none'}`}
              title={code ? groupName(code) : t('overview.noGroup')}
            >
              <Table
                caption={t('overview.tableCaption', {
                  group: code ? groupName(code) : t('overview.noGroup'),
                })}
                captionHidden
                columns={columns}
                rows={list}
                rowKey={(r) => r.target.id}
              />
            </Section>
          ))}
        </>
      )}
    </>
  );
}

/**
 * The engine's assessment when the server has it (one request: the overview summary, which also
 * carries the levels, groups and years of the filters); otherwise the targets beside their latest
 * actuals.
 */
export function Component() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const year = params.get('year') ?? '';
  const group = params.get('group') ?? '';
  // the programme's own level (the server's default: the first) unless the reader chooses another
  // level, or all of them
  const levelParam = params.get('level') ?? '';
  const engine = useApi<ProgressSummary>('/api/progress/overview', overviewQuery(params), { keep: true });
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  const data = engine.data;
  const noEngine = engine.error?.status === 404;
  const header = (
    <PageHeader
      kicker={t('overview.kicker')}
      title={t('overview.title')}
      lead={<p>{t('overview.lead')}</p>}
    />
  );
  if (noEngine) {
    return (
      <>
        {header}
        <CatalogueOverview />
      </>
    );
  }
  const firstLevel = data?.levels[0]?.code ?? '';
  const filters = data && (
    <>
      <SelectField
        label={t('overview.filter.year')}
        value={year}
        onChange={(v) => setParam('year', v)}
        allLabel={t('common.all')}
        options={data.years.map((y) => ({ value: String(y), label: String(y) }))}
      />
      <SelectField
        label={t('overview.filter.level')}
        value={levelParam === 'all' ? 'all' : levelParam || firstLevel}
        onChange={(v) => setParam('level', v === firstLevel ? '' : v)}
        options={[
          ...data.levels.map((l) => ({ value: l.code, label: pick(lang, l.name_vi, l.name_en) })),
          { value: 'all', label: t('overview.allLevels') },
        ]}
      />
      <SelectField
        label={t('overview.filter.group')}
        value={group}
        onChange={(v) => setParam('group', v)}
        allLabel={t('common.all')}
        options={data.group_list.map((g) => ({
          value: g.code,
          label: pick(lang, g.name_vi ?? g.code, g.name_en),
        }))}
      />
    </>
  );
  return (
    <>
      {header}
      {engine.error && <ErrorBox error={engine.error} onRetry={engine.reload} />}
      {!engine.error && !data && <Loading />}
      {data && (
        <div aria-busy={engine.loading} className={engine.loading ? 'refreshing' : undefined}>
          <EngineOverview data={data} filters={filters} />
        </div>
      )}
    </>
  );
}
