/**
 * One indicator (public): actuals against yearly targets as a chart with its table, the breakdown by
 * unit, the targets and the documents that set them (with their words), the metadata, downloads.
 */
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { ProvenanceBadge } from '../../components/Badges.tsx';
import { ChartFigure } from '../../components/ChartFigure.tsx';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel, formatTarget, useLevels, useNames } from '../../lib/catalogue.ts';
import {
  formatChange,
  formatNumber,
  formatPeriod,
  formatPeriodShort,
  formatValue,
} from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type {
  DataValue,
  Indicator,
  ListOf,
  SourceDocument,
  Target,
  TargetConflict,
} from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { STATUS_STYLE } from '../overview/progress.ts';
import { FeedbackSection } from '../feedback/FeedbackSection.tsx';
import { BreakdownMap } from '../maps/BreakdownMap.tsx';
import { seriesOption } from './chartOption.ts';
import { periodsNewestFirst, type SeriesRow, unitSeries } from './series.ts';

/** The engine's series of an indicator for a unit (GET /api/indicators/:code/series). */
interface EngineSeries {
  targets: Array<{
    id: number;
    period: string;
    status: string;
    attainment: number | null;
    projection: number | null;
  }>;
  projection: { period: string; value: number } | null;
}

interface UnitChoice {
  code: string;
  name: string;
  level: string;
}

export function Component() {
  const { t, lang } = useI18n();
  const code = useParams().code ?? '';
  const ind = useApi<Indicator>(`/api/indicators/${encodeURIComponent(code)}`);
  const targets = useApi<ListOf<Target>>('/api/targets', { indicator: code, limit: 1000 });
  const values = useApi<ListOf<DataValue>>('/api/values', { indicator: code, limit: 1000 });
  const conflicts = useApi<{ items: TargetConflict[] }>('/api/targets/conflicts', { indicator: code });
  const docs = useApi<ListOf<SourceDocument>>('/api/documents', { limit: 1000 });
  const levels = useLevels();
  const levelName = useNames(levels, lang);

  const error = ind.error ?? targets.error ?? values.error;
  if (error) {
    return (
      <>
        <PageHeader
          title={t('indicator.titleFallback', { code })}
          crumbs={[{ to: '/indicators', label: t('nav.indicators') }]}
        />
        <ErrorBox
          error={error}
          onRetry={() => {
            ind.reload();
            targets.reload();
            values.reload();
          }}
        />
      </>
    );
  }
  if (!ind.data || !targets.data || !values.data) return <Loading />;
  return (
    <IndicatorView
      indicator={ind.data}
      targets={targets.data.items}
      values={values.data}
      conflicts={conflicts.data?.items ?? []}
      docs={docs.data?.items ?? []}
      levelName={levelName}
    />
  );
}

function IndicatorView({
  indicator: i,
  targets,
  values: valueList,
  conflicts,
  docs,
  levelName,
}: {
  indicator: Indicator;
  targets: Target[];
  values: ListOf<DataValue>;
  conflicts: TargetConflict[];
  docs: SourceDocument[];
  levelName(code: string | null | undefined): string;
}) {
  const { t, lang } = useI18n();
  const values = valueList.items;
  const name = pick(lang, i.name_vi, i.name_en);
  const percent = i.unit === '%';

  // Units that have values or their own targets; the default is the unit of the first unit target,
  // else the unit with the longest series.
  const units = useMemo(() => {
    const m = new Map<string, UnitChoice & { n: number }>();
    for (const v of values) {
      const u = m.get(v.org_unit_code) ?? {
        code: v.org_unit_code,
        name: v.org_unit_name_vi,
        level: v.org_level,
        n: 0,
      };
      u.n++;
      m.set(u.code, u);
    }
    for (const tg of targets) {
      if (tg.scope === 'unit' && tg.org_unit_code && !m.has(tg.org_unit_code)) {
        m.set(tg.org_unit_code, {
          code: tg.org_unit_code,
          name: tg.org_unit_name_vi ?? tg.org_unit_code,
          level: tg.org_level,
          n: 0,
        });
      }
    }
    return [...m.values()];
  }, [values, targets]);
  const defaultUnit = useMemo(() => {
    const own = targets.find((x) => x.scope === 'unit' && x.org_unit_code);
    if (own?.org_unit_code) return own.org_unit_code;
    return [...units].sort((a, b) => b.n - a.n)[0]?.code ?? '';
  }, [targets, units]);
  const [unitCode, setUnitCode] = useState('');
  const unit = units.find((u) => u.code === (unitCode || defaultUnit));
  const rows = useMemo(() => (unit ? unitSeries(values, targets, unit) : []), [values, targets, unit]);
  // the engine's view of this unit's series (statuses and projection), when the server has it
  const engine = useApi<EngineSeries>(
    unit ? `/api/indicators/${encodeURIComponent(i.code)}/series` : null,
    unit ? { org_unit: unit.code } : undefined,
  );
  const projection = engine.data?.projection ?? null;
  const assessed = new Map((engine.data?.targets ?? []).map((x) => [x.id, x]));

  const anySynthetic = values.some((v) => v.provenance === 'synthetic');
  const withActual = rows.filter((r) => r.actual);
  const lastActual = withActual[withActual.length - 1]?.actual ?? null;
  const lastTarget = [...rows].reverse().find((r) => r.target)?.target ?? null;

  const option = useMemo(
    () =>
      seriesOption(rows, {
        lang,
        actualLabel: t('indicator.chart.actual'),
        targetLabel: t('indicator.chart.target'),
        projectionLabel: t('indicator.chart.projection'),
        projection,
        unit: i.unit,
        percent,
      }),
    [rows, lang, t, i.unit, percent, projection],
  );

  const summary = unit
    ? t('indicator.chart.summary', {
        indicator: name,
        unit: unit.name,
        count: withActual.length,
        latest: lastActual
          ? `${formatValue(lang, lastActual.value, i.unit)} (${formatPeriod(lang, lastActual.period)})`
          : t('overview.noData'),
        target: lastTarget
          ? `${formatTarget(lang, lastTarget)} (${formatPeriod(lang, lastTarget.period)})`
          : t('indicator.noTarget'),
      })
    : '';

  const seriesColumns: Array<Column<SeriesRow>> = [
    {
      key: 'period',
      header: t('indicator.col.period'),
      rowHeader: true,
      cell: (r) => formatPeriod(lang, r.period),
    },
    {
      key: 'actual',
      header: t('indicator.col.actual'),
      numeric: true,
      cell: (r) =>
        r.actual ? (
          <>
            {formatValue(lang, r.actual.value, i.unit)} <ProvenanceBadge provenance={r.actual.provenance} />
          </>
        ) : (
          '–'
        ),
    },
    {
      key: 'target',
      header: t('indicator.col.target'),
      numeric: true,
      cell: (r) => (r.target ? formatTarget(lang, r.target) : '–'),
    },
    ...(projection
      ? [
          {
            key: 'projection',
            header: t('indicator.chart.projection'),
            numeric: true,
            cell: (r: SeriesRow) =>
              r.period === projection.period ? formatValue(lang, projection.value, i.unit) : '–',
          },
        ]
      : []),
  ];
  const tableRows =
    projection && !rows.some((r) => r.period === projection.period)
      ? [...rows, { period: projection.period, actual: null, target: null }]
      : rows;

  const statusText = (code: string) => {
    const key = `status.${code}` as Key;
    const v = t(key);
    return v === key ? code : v;
  };

  const docTitle = (c: string | null) => {
    const d = docs.find((x) => x.code === c);
    return d ? pick(lang, d.title_vi, d.title_en) : (c ?? '');
  };

  return (
    <>
      <PageHeader
        kicker={
          <>
            <span className="code">{i.code}</span>
            {i.group_name_vi && <> · {pick(lang, i.group_name_vi, i.group_name_en)}</>}
          </>
        }
        title={name}
        crumbs={[
          { to: '/', label: t('nav.home') },
          { to: '/indicators', label: t('nav.indicators') },
        ]}
        lead={
          pick(lang, i.definition_vi ?? '', i.definition_en) ? (
            <p>{pick(lang, i.definition_vi ?? '', i.definition_en)}</p>
          ) : undefined
        }
        actions={
          <div className="downloads">
            <a
              className="btn btn-secondary"
              href={`/api/values.csv?indicator=${encodeURIComponent(i.code)}`}
              download
            >
              {t('indicator.downloadValues')}
            </a>
            <a
              className="btn btn-secondary"
              href={`/api/values.xlsx?indicator=${encodeURIComponent(i.code)}`}
              download
            >
              {t('indicator.downloadValuesXlsx')}
            </a>
            <a
              className="btn btn-secondary"
              href={`/api/targets.csv?indicator=${encodeURIComponent(i.code)}`}
              download
            >
              {t('indicator.downloadTargets')}
            </a>
          </div>
        }
      />
      {anySynthetic && (
        <div className="notice notice-warning">
          <p>{t('provenance.syntheticNote')}</p>
        </div>
      )}
      {conflicts.length > 0 && (
        <div className="notice notice-warning" role="note">
          <p>
            <strong>{t('indicator.conflictTitle')}</strong> {t('indicator.conflictBody')}
          </p>
          <ul>
            {conflicts.map((c) => (
              <li key={`${c.period}|${c.scope}`}>
                {formatPeriod(lang, c.period)}:{' '}
                {c.targets
                  .map((x) =>
                    t('indicator.conflictItem', {
                      target: formatTarget(lang, { ...x, unit_of_measure: i.unit }),
                      doc: x.source_document ?? '–',
                    }),
                  )
                  .join('; ')}
              </li>
            ))}
          </ul>
        </div>
      )}

      <Section id="progress" title={t('indicator.progressTitle')}>
        {units.length === 0 ? (
          <Empty>{t('indicator.noValues')}</Empty>
        ) : (
          <>
            {units.length > 1 && (
              <FilterBar>
                <SelectField
                  label={t('indicator.chooseUnit')}
                  value={unit?.code ?? ''}
                  onChange={setUnitCode}
                  options={units
                    .slice()
                    .sort((a, b) => a.name.localeCompare(b.name, 'vi'))
                    .map((u) => ({ value: u.code, label: `${u.name} (${levelName(u.level)})` }))}
                />
              </FilterBar>
            )}
            {unit && (
              <ChartFigure
                title={t('indicator.chart.title', { unit: unit.name })}
                summary={summary}
                option={option}
                table={
                  <Table
                    caption={t('indicator.chart.title', { unit: unit.name })}
                    captionHidden
                    columns={seriesColumns}
                    rows={tableRows}
                    rowKey={(r) => r.period}
                    stack={false}
                  />
                }
              />
            )}
          </>
        )}
      </Section>

      <Breakdown indicator={i} values={values} total={valueList.total} levelName={levelName} />

      <Section id="targets" title={t('indicator.targetsTitle')}>
        {targets.length === 0 ? (
          <Empty>{t('indicator.noTarget')}</Empty>
        ) : (
          <Table
            caption={t('indicator.targetsTitle')}
            captionHidden
            rows={targets}
            rowKey={(x) => x.id}
            initialSort={{ key: 'period', dir: 'asc' }}
            columns={[
              {
                key: 'period',
                header: t('indicator.col.period'),
                rowHeader: true,
                sort: (x) => x.period,
                cell: (x) => formatPeriod(lang, x.period),
              },
              {
                key: 'scope',
                header: t('overview.col.scope'),
                cell: (x) =>
                  x.scope === 'unit' && x.org_unit_code ? (
                    <Link to={paths.unit(x.org_unit_code)}>{x.org_unit_name_vi}</Link>
                  ) : (
                    t('overview.everyUnitOf', { level: levelName(x.org_level) })
                  ),
              },
              {
                key: 'target',
                header: t('indicator.col.target'),
                cell: (x) => <strong>{formatTarget(lang, x)}</strong>,
              },
              {
                key: 'baseline',
                header: t('indicator.col.baseline'),
                cell: (x) =>
                  x.baseline_value !== null
                    ? `${formatValue(lang, x.baseline_value, i.unit)}${x.baseline_period ? ` (${formatPeriod(lang, x.baseline_period)})` : ''}`
                    : '–',
              },
              {
                key: 'status',
                header: t('overview.col.status'),
                cell: (x) => {
                  const a = assessed.get(x.id);
                  if (!a) return <span className="muted">–</span>;
                  return (
                    <>
                      <span
                        className={`badge badge-status badge-${STATUS_STYLE[a.status] ?? 'not_assessed'}`}
                      >
                        {statusText(a.status)}
                      </span>
                      {a.attainment !== null && (
                        <span className="sub">
                          {t('overview.attainment', { value: formatNumber(lang, a.attainment * 100, 1) })}
                        </span>
                      )}
                    </>
                  );
                },
              },
              {
                key: 'doc',
                header: t('indicator.col.document'),
                cell: (x) =>
                  x.source_document ? (
                    <Link to={paths.document(x.source_document)}>{x.source_document}</Link>
                  ) : (
                    '–'
                  ),
              },
            ]}
          />
        )}
      </Section>

      <Section id="sources" title={t('indicator.sourcesTitle')}>
        <Sources indicator={i} targets={targets} values={values} docTitle={docTitle} />
      </Section>

      <Section id="metadata" title={t('indicator.metadataTitle')}>
        <dl className="meta">
          <dt>{t('indicator.meta.code')}</dt>
          <dd className="code">{i.code}</dd>
          <dt>{t('indicator.meta.unit')}</dt>
          <dd>{i.unit}</dd>
          <dt>{t('indicator.meta.valueType')}</dt>
          <dd>{enumLabel(t, 'valueType', i.value_type)}</dd>
          <dt>{t('indicator.meta.direction')}</dt>
          <dd>{enumLabel(t, 'direction', i.direction)}</dd>
          <dt>{t('indicator.meta.periodType')}</dt>
          <dd>{enumLabel(t, 'periodType', i.period_type)}</dd>
          <dt>{t('indicator.meta.rollup')}</dt>
          <dd>
            {enumLabel(t, 'rollup', i.rollup)}
            {i.denominator && (
              <>
                {' '}
                ({t('indicator.meta.denominator')}:{' '}
                <Link to={paths.indicator(i.denominator)}>{i.denominator}</Link>)
              </>
            )}
          </dd>
          <dt>{t('indicator.meta.periodRollup')}</dt>
          <dd>{enumLabel(t, 'periodRollup', i.period_rollup)}</dd>
          <dt>{t('indicator.meta.levels')}</dt>
          <dd>{i.levels.map((l) => levelName(l)).join(', ') || '–'}</dd>
          {i.formula && (
            <>
              <dt>{t('indicator.meta.formula')}</dt>
              <dd>
                <code>{i.formula}</code>
              </dd>
            </>
          )}
          {(i.min_value !== null || i.max_value !== null) && (
            <>
              <dt>{t('indicator.meta.range')}</dt>
              <dd>
                {formatNumber(lang, i.min_value)} – {formatNumber(lang, i.max_value)}
              </dd>
            </>
          )}
          <dt>{t('indicator.meta.responsible')}</dt>
          <dd>
            {i.responsible_unit ? <Link to={paths.unit(i.responsible_unit)}>{i.responsible_unit}</Link> : '–'}
          </dd>
          <dt>{t('indicator.meta.source')}</dt>
          <dd>
            {i.source_document ? (
              <Link to={paths.document(i.source_document)}>{docTitle(i.source_document)}</Link>
            ) : (
              '–'
            )}
          </dd>
        </dl>
      </Section>
      <FeedbackSection kind="indicator" target={i.code} />
    </>
  );
}

function Breakdown({
  indicator: i,
  values,
  total,
  levelName,
}: {
  indicator: Indicator;
  values: DataValue[];
  total: number;
  levelName(code: string | null | undefined): string;
}) {
  const { t, lang } = useI18n();
  const periods = useMemo(() => periodsNewestFirst(values), [values]);
  const [period, setPeriod] = useState('');
  const [level, setLevel] = useState('');
  const [q, setQ] = useState('');
  const current = period || periods[0] || '';
  const previousPeriod = periods[periods.indexOf(current) + 1];
  const previous = useMemo(() => {
    const m = new Map<string, number | null>();
    for (const v of values)
      if (v.period === previousPeriod && v.disagg === '') m.set(v.org_unit_code, v.value);
    return m;
  }, [values, previousPeriod]);
  const levelsPresent = [...new Set(values.map((v) => v.org_level))];
  const rows = values.filter(
    (v) =>
      v.period === current &&
      v.disagg === '' &&
      (!level || v.org_level === level) &&
      (!q || matchesVi(`${v.org_unit_code} ${v.org_unit_name_vi}`, q)),
  );
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0));
  const columns: Array<Column<DataValue>> = [
    {
      key: 'unit',
      header: t('indicator.col.unit'),
      rowHeader: true,
      sort: (v) => v.org_unit_name_vi,
      cell: (v) => <Link to={paths.unit(v.org_unit_code)}>{v.org_unit_name_vi}</Link>,
      className: 'col-wide',
    },
    {
      key: 'level',
      header: t('indicator.col.level'),
      sort: (v) => levelName(v.org_level),
      cell: (v) => levelName(v.org_level),
    },
    {
      key: 'value',
      header: t('indicator.col.actual'),
      numeric: true,
      sort: (v) => v.value,
      cell: (v) => (
        <span className="bar-cell">
          <span
            className="bar"
            aria-hidden="true"
            style={{ width: `${max > 0 ? ((v.value ?? 0) / max) * 100 : 0}%` }}
          />
          <span className="bar-value">{formatValue(lang, v.value, i.unit)}</span>
        </span>
      ),
    },
    {
      key: 'change',
      header: t('indicator.col.change'),
      numeric: true,
      sort: (v) => {
        const p = previous.get(v.org_unit_code);
        return p === undefined || p === null || v.value === null ? null : v.value - p;
      },
      cell: (v) => {
        const p = previous.get(v.org_unit_code);
        return p === undefined || p === null || v.value === null ? '–' : formatChange(lang, v.value - p);
      },
    },
    {
      key: 'provenance',
      header: t('indicator.col.provenance'),
      cell: (v) => <ProvenanceBadge provenance={v.provenance} always />,
    },
  ];
  return (
    <Section id="breakdown" title={t('indicator.breakdownTitle')}>
      {periods.length === 0 ? (
        <Empty>{t('indicator.noValues')}</Empty>
      ) : (
        <>
          <FilterBar
            count={t('common.shownOf', {
              shown: rows.length,
              total: values.filter((v) => v.period === current && v.disagg === '').length,
            })}
          >
            <SearchBox value={q} onChange={setQ} label={t('indicator.searchUnit')} />
            <SelectField
              label={t('indicator.col.period')}
              value={current}
              onChange={setPeriod}
              options={periods.map((p) => ({ value: p, label: formatPeriod(lang, p) }))}
            />
            {levelsPresent.length > 1 && (
              <SelectField
                label={t('overview.filter.level')}
                value={level}
                onChange={setLevel}
                allLabel={t('common.all')}
                options={levelsPresent.map((l) => ({ value: l, label: levelName(l) }))}
              />
            )}
          </FilterBar>
          <BreakdownMap
            indicator={i}
            allValues={values}
            rows={rows}
            level={level}
            period={current}
            levelName={levelName}
          />
          <Table
            caption={t('indicator.breakdownCaption', { period: formatPeriod(lang, current) })}
            captionHidden
            columns={columns}
            rows={rows}
            rowKey={(v) => v.id}
            initialSort={{ key: 'value', dir: i.direction === 'decrease' ? 'asc' : 'desc' }}
            limit={50}
          />
          {total > values.length && (
            <p className="muted small">{t('indicator.truncated', { shown: values.length, total })}</p>
          )}
          {previousPeriod && (
            <p className="muted small">
              {t('indicator.changeNote', { period: formatPeriodShort(lang, previousPeriod) })}
            </p>
          )}
        </>
      )}
    </Section>
  );
}

function Sources({
  indicator: i,
  targets,
  values,
  docTitle,
}: {
  indicator: Indicator;
  targets: Target[];
  values: DataValue[];
  docTitle(code: string | null): string;
}) {
  const { t, lang } = useI18n();
  const byDoc = new Map<string, Array<{ key: string; what: string; quote: string | null }>>();
  const add = (doc: string | null, key: string, what: string, quote: string | null) => {
    if (!doc) return;
    const list = byDoc.get(doc) ?? [];
    list.push({ key, what, quote });
    byDoc.set(doc, list);
  };
  add(i.source_document, 'def', t('indicator.sourceDefinition'), null);
  for (const x of targets)
    add(
      x.source_document,
      `t${x.id}`,
      t('indicator.sourceTarget', {
        period: formatPeriodShort(lang, x.period),
        target: formatTarget(lang, x),
      }),
      x.quote,
    );
  for (const v of values)
    if (v.source_document)
      add(
        v.source_document,
        `v${v.id}`,
        t('indicator.sourceValue', {
          period: formatPeriod(lang, v.period),
          unit: v.org_unit_name_vi,
          value: formatValue(lang, v.value, i.unit),
        }),
        v.quote,
      );
  if (byDoc.size === 0) return <Empty>{t('indicator.noSources')}</Empty>;
  return (
    <ul className="sources">
      {[...byDoc.entries()].map(([doc, items]) => (
        <li key={doc}>
          <p className="source-title">
            <Link to={paths.document(doc)}>{docTitle(doc)}</Link> <span className="muted">({doc})</span>
          </p>
          <ul>
            {items.map((it) => (
              <li key={it.key}>
                <span className="source-what">{it.what}</span>
                {it.quote && <blockquote lang="vi">{it.quote}</blockquote>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
