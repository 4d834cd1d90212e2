/**
 * One org unit (public): its indicators with latest values and trends, the targets that apply to it,
 * its place in the tree, and its lineage across reorganisations (what it came from, what it became).
 */
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { ClosedBadge, ProvenanceBadge } from '../../components/Badges.tsx';
import { CheckboxField, FilterBar, SearchBox } from '../../components/Fields.tsx';
import { IndicatorName } from '../../components/IndicatorName.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { Sparkline } from '../../components/Sparkline.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { enumLabel, formatTarget, useLevels, useNames } from '../../lib/catalogue.ts';
import { formatChange, formatDate, formatPeriod, formatPeriodShort, formatValue } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import type { DataValue, Indicator, LineageLink, ListOf, OrgUnitDetail, Target } from '../../lib/types.ts';
import { useApi, useApiAll } from '../../lib/useApi.ts';
import { seriesByKey } from '../overview/rows.ts';
import type { IndexResults, Methodology } from '../ranking/types.ts';

interface IndicatorRow {
  code: string;
  name: string;
  unit: string;
  series: DataValue[];
  latest: DataValue;
  previous: DataValue | null;
}

export function Component() {
  const { t, lang } = useI18n();
  const code = useParams().code ?? '';
  const unit = useApi<OrgUnitDetail>(`/api/org-units/${encodeURIComponent(code)}`);
  const values = useApi<ListOf<DataValue>>('/api/values', { org_unit: code, limit: 1000 });
  const own = useApi<ListOf<Target>>('/api/targets', { org_unit: code, limit: 1000 });
  const byLevel = useApi<ListOf<Target>>(unit.data ? '/api/targets' : null, {
    level: unit.data?.level,
    limit: 1000,
  });
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const parent = useApi<OrgUnitDetail>(
    unit.data?.parent ? `/api/org-units/${encodeURIComponent(unit.data.parent)}` : null,
  );
  const levels = useLevels();
  const levelName = useNames(levels, lang);

  const error = unit.error ?? values.error ?? own.error;
  if (error) {
    return (
      <>
        <PageHeader
          title={t('unit.titleFallback', { code })}
          crumbs={[{ to: '/units', label: t('nav.units') }]}
        />
        <ErrorBox
          error={error}
          onRetry={() => {
            unit.reload();
            values.reload();
            own.reload();
          }}
        />
      </>
    );
  }
  if (!unit.data || !values.data || !own.data) return <Loading />;
  const u = unit.data;
  const targets = [...own.data.items, ...(byLevel.data?.items ?? []).filter((x) => x.scope === 'level')];
  const indicatorName = (c: string, fallback: string) => {
    const i = indicators.data?.items.find((x) => x.code === c);
    return i ? pick(lang, i.name_vi, i.name_en) : fallback;
  };

  return (
    <>
      <PageHeader
        kicker={
          <>
            {levelName(u.level)}
            {u.official_code && <> · {t('unit.officialCode', { code: u.official_code })}</>}
          </>
        }
        title={pick(lang, u.name_vi, u.name_en)}
        crumbs={[
          { to: '/', label: t('nav.home') },
          { to: '/units', label: t('nav.units') },
        ]}
        lead={
          <p>
            {u.parent && (
              <>
                {t('unit.partOf')} <Link to={paths.unit(u.parent)}>{parent.data?.name_vi ?? u.parent}</Link>.{' '}
              </>
            )}
            {u.valid_from || u.valid_to
              ? t('unit.validity', {
                  from: u.valid_from ? formatDate(lang, u.valid_from) : t('units.always'),
                  to: u.valid_to ? formatDate(lang, u.valid_to) : t('units.now'),
                })
              : null}{' '}
            <ClosedBadge validTo={u.valid_to} />
          </p>
        }
        actions={
          <a
            className="btn btn-secondary"
            href={`/api/values.csv?org_unit=${encodeURIComponent(u.code)}`}
            download
          >
            {t('unit.downloadValues')}
          </a>
        }
      />
      {(u.predecessors.length > 0 || u.successors.length > 0) && (
        <Section id="lineage" title={t('unit.lineageTitle')}>
          <div className="lineage">
            <LineageList title={t('unit.predecessors')} links={u.predecessors} side="from" />
            <LineageList title={t('unit.successors')} links={u.successors} side="to" />
          </div>
        </Section>
      )}
      <UnitIndicators values={values.data.items} targets={targets} indicatorName={indicatorName} />
      <UnitIndexScores code={u.code} level={u.level} />
      <Section id="targets" title={t('unit.targetsTitle')}>
        {targets.length === 0 ? (
          <Empty>{t('unit.noTargets')}</Empty>
        ) : (
          <Table
            caption={t('unit.targetsTitle')}
            captionHidden
            rows={targets}
            rowKey={(x) => x.id}
            initialSort={{ key: 'period', dir: 'asc' }}
            columns={[
              {
                key: 'indicator',
                header: t('overview.col.indicator'),
                rowHeader: true,
                sort: (x) => x.indicator_code,
                cell: (x) => (
                  <IndicatorName
                    code={x.indicator_code}
                    name={pick(lang, x.indicator_name_vi, x.indicator_name_en)}
                  />
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
                key: 'target',
                header: t('indicator.col.target'),
                cell: (x) => <strong>{formatTarget(lang, x)}</strong>,
              },
              {
                key: 'scope',
                header: t('overview.col.scope'),
                cell: (x) =>
                  x.scope === 'unit'
                    ? t('unit.ownTarget')
                    : t('overview.everyUnitOf', { level: levelName(x.org_level) }),
              },
            ]}
          />
        )}
      </Section>
      {u.children.length > 0 && <Children items={u.children} levelName={levelName} />}
    </>
  );
}

function LineageList({ title, links, side }: { title: string; links: LineageLink[]; side: 'from' | 'to' }) {
  const { t, lang } = useI18n();
  return (
    <div className="lineage-col">
      <h3>{title}</h3>
      {links.length === 0 ? (
        <p className="muted">{t('unit.noLineage')}</p>
      ) : (
        <ul>
          {links.map((l) => {
            const code = side === 'from' ? l.from : l.to;
            const name = side === 'from' ? l.from_name : l.to_name;
            return (
              <li key={`${l.from}>${l.to}`}>
                <Link to={paths.unit(code)}>{name}</Link>{' '}
                <span className="muted">
                  {`(${[
                    t('unit.lineageItem', {
                      kind: enumLabel(t, 'lineage', l.kind),
                      date: formatDate(lang, l.effective_date),
                    }),
                    l.partial ? t('unit.partial') : null,
                    l.depth > 1 ? t('unit.indirect') : null,
                  ]
                    .filter(Boolean)
                    .join(', ')})`}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function UnitIndicators({
  values,
  targets,
  indicatorName,
}: {
  values: DataValue[];
  targets: Target[];
  indicatorName(code: string, fallback: string): string;
}) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const rows = useMemo(() => {
    const out: IndicatorRow[] = [];
    for (const series of seriesByKey(values).values()) {
      const latest = series[series.length - 1]!;
      out.push({
        code: latest.indicator_code,
        name: indicatorName(latest.indicator_code, latest.indicator_name_vi),
        unit: latest.unit_of_measure,
        series,
        latest,
        previous: series[series.length - 2] ?? null,
      });
    }
    return out;
  }, [values, indicatorName]);
  const shown = rows.filter((r) => !q || matchesVi(`${r.code} ${r.name}`, q));
  const nextTarget = (code: string, after: string) =>
    targets
      .filter((x) => x.indicator_code === code && x.period >= after.slice(0, 4))
      .sort((a, b) => a.period.localeCompare(b.period))[0];
  const columns: Array<Column<IndicatorRow>> = [
    {
      key: 'indicator',
      header: t('overview.col.indicator'),
      rowHeader: true,
      sort: (r) => r.code,
      cell: (r) => <IndicatorName code={r.code} name={r.name} />,
      className: 'col-wide',
    },
    {
      key: 'latest',
      header: t('overview.col.latest'),
      sort: (r) => r.latest.value,
      cell: (r) => (
        <>
          <strong>{formatValue(lang, r.latest.value, r.unit)}</strong>
          <span className="sub">
            {formatPeriod(lang, r.latest.period)} <ProvenanceBadge provenance={r.latest.provenance} />
          </span>
        </>
      ),
    },
    {
      key: 'trend',
      header: t('overview.col.trend'),
      cell: (r) =>
        r.previous && r.previous.value !== null && r.latest.value !== null ? (
          <span className="trend trend-flat">
            <Sparkline values={r.series.map((v) => v.value as number)} />
            <span className="trend-text">
              {t('overview.changeSince', {
                change: formatChange(lang, r.latest.value - r.previous.value),
                period: formatPeriodShort(lang, r.previous.period),
              })}
            </span>
          </span>
        ) : (
          <span className="muted">{t('overview.noTrend')}</span>
        ),
    },
    {
      key: 'target',
      header: t('overview.col.target'),
      cell: (r) => {
        const x = nextTarget(r.code, r.latest.period);
        return x ? (
          <>
            <strong>{formatTarget(lang, x)}</strong>
            <span className="sub">{formatPeriod(lang, x.period)}</span>
          </>
        ) : (
          '–'
        );
      },
    },
  ];
  return (
    <Section id="indicators" title={t('unit.indicatorsTitle')}>
      {rows.length === 0 ? (
        <Empty>{t('unit.noValues')}</Empty>
      ) : (
        <>
          {rows.some((r) => r.latest.provenance === 'synthetic') && (
            <div className="notice notice-warning">
              <p>{t('provenance.syntheticNote')}</p>
            </div>
          )}
          <FilterBar count={t('common.shownOf', { shown: shown.length, total: rows.length })}>
            <SearchBox value={q} onChange={setQ} label={t('indicators.searchLabel')} />
          </FilterBar>
          <Table
            caption={t('unit.indicatorsTitle')}
            captionHidden
            columns={columns}
            rows={shown}
            rowKey={(r) => r.code}
          />
        </>
      )}
    </Section>
  );
}

function Children({
  items,
  levelName,
}: {
  items: OrgUnitDetail['children'];
  levelName(code: string | null | undefined): string;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [showClosed, setShowClosed] = useState(false);
  const current = items.filter((c) => !c.valid_to);
  const list = items.filter(
    (c) => (showClosed || !c.valid_to) && (!q || matchesVi(`${c.code} ${c.name_vi}`, q)),
  );
  return (
    <Section id="children" title={t('unit.childrenTitle', { count: current.length })}>
      <FilterBar count={t('common.shownOf', { shown: list.length, total: items.length })}>
        <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
        {items.length > current.length && (
          <CheckboxField
            label={t('unit.showClosed', { count: items.length - current.length })}
            checked={showClosed}
            onChange={setShowClosed}
          />
        )}
      </FilterBar>
      <ul className="child-list">
        {list.map((c) => (
          <li key={c.code}>
            <Link to={paths.unit(c.code)}>{c.name_vi}</Link>{' '}
            <span className="muted small">{levelName(c.level)}</span> <ClosedBadge validTo={c.valid_to} />
          </li>
        ))}
      </ul>
    </Section>
  );
}

/**
 * The unit's composite index scores: for every methodology that ranks units of its level, the latest
 * year's score, rank among the units ranked, and the 5–95 % rank interval of the sensitivity runs.
 */
function UnitIndexScores({ code, level }: { code: string; level: string }) {
  const { t, lang } = useI18n();
  const list = useApi<{ items: Methodology[] }>('/api/index/methodologies');
  const mine = (list.data?.items ?? []).filter((m) => m.levels.includes(level) && m.years.length > 0);
  const urls = mine.map(
    (m) => `/api/index/${encodeURIComponent(m.code)}/results?period=${Math.max(...m.years)}`,
  );
  const results = useApiAll<IndexResults>(urls);
  if (list.error || !list.data || mine.length === 0) return null;
  if (results.error) {
    return (
      <Section id="index" title={t('unit.indexTitle')}>
        <ErrorBox error={results.error} onRetry={results.reload} />
      </Section>
    );
  }
  if (!results.data) return <Loading />;
  const rows = results.data.flatMap((r) => {
    const u = r.units.find((x) => x.org_unit.code === code);
    const ranked = r.units.filter((x) => x.rank !== null).length;
    return u ? [{ r, u, ranked }] : [];
  });
  return (
    <Section id="index" title={t('unit.indexTitle')}>
      {rows.length === 0 ? (
        <Empty>{t('unit.indexNone')}</Empty>
      ) : (
        <Table
          caption={t('unit.indexCaption')}
          captionHidden
          rows={rows}
          rowKey={(x) => x.r.methodology.code}
          columns={[
            {
              key: 'index',
              header: t('unit.indexCol.index'),
              rowHeader: true,
              cell: (x) => (
                <Link to={`/rankings/${encodeURIComponent(x.r.methodology.code)}`}>
                  {pick(lang, x.r.methodology.name_vi, x.r.methodology.name_en)}
                </Link>
              ),
              className: 'col-wide',
            },
            { key: 'year', header: t('unit.indexCol.year'), cell: (x) => x.r.period },
            {
              key: 'score',
              header: t('unit.indexCol.score'),
              numeric: true,
              cell: (x) => <strong>{formatValue(lang, x.u.score, null)}</strong>,
            },
            {
              key: 'rank',
              header: t('unit.indexCol.rank'),
              numeric: true,
              cell: (x) =>
                x.u.rank === null ? '–' : t('unit.indexRank', { rank: x.u.rank, total: x.ranked }),
            },
            {
              key: 'interval',
              header: t('unit.indexCol.interval'),
              numeric: true,
              cell: (x) => (x.u.sensitivity ? `${x.u.sensitivity.q5}–${x.u.sensitivity.q95}` : '–'),
            },
          ]}
        />
      )}
    </Section>
  );
}
