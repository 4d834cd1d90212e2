/**
 * One composite index (public): the ranking of the units for a year with the rank change, the
 * median rank and the 5–95 % interval of the sensitivity analysis, strengths and weaknesses; a
 * drill-down to any pillar or component ranks the units on it.
 */
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { matchesVi } from '../../../core/text.ts';
import { FilterBar, SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Column, Table } from '../../components/Table.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { formatNumber } from '../../lib/format.ts';
import { paths } from '../../lib/paths.ts';
import { useApi } from '../../lib/useApi.ts';
import { type IndexResults, type Methodology, nodesInOrder, type UnitResult } from './types.ts';

function RankChange({ change }: { change: number | null }) {
  const { t, lang } = useI18n();
  if (change === null) return <span className="muted">–</span>;
  if (change === 0) return <span className="rank-change flat">{t('ranking.same')}</span>;
  const up = change > 0;
  return (
    <span className={`rank-change ${up ? 'up' : 'down'}`}>
      <span aria-hidden="true">{up ? '▲' : '▼'} </span>
      {t(up ? 'ranking.up' : 'ranking.down', { n: formatNumber(lang, Math.abs(change)) })}
    </span>
  );
}

export function Component() {
  const { t, lang } = useI18n();
  const code = useParams().code ?? '';
  const [params, setParams] = useSearchParams();
  const period = params.get('period') ?? '';
  const node = params.get('node') ?? '';
  const [q, setQ] = useState('');
  const methodologies = useApi<{ items: Methodology[] }>('/api/index/methodologies');
  const results = useApi<IndexResults>(`/api/index/${encodeURIComponent(code)}/results`, { period });
  const m = methodologies.data?.items.find((x) => x.code === code);
  const set = (k: string, v: string) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );

  const r = results.data;
  const root = r?.methodology.root ?? '';
  const current = node || root;
  const tree = useMemo(() => (r ? nodesInOrder(r.nodes, r.methodology.root) : []), [r]);
  const nodeName = (c: string) => {
    const n = r?.nodes.find((x) => x.code === c);
    return n ? pick(lang, n.name_vi, n.name_en) : c;
  };
  const isRoot = current === root;
  const rows = useMemo(() => {
    const list = (r?.units ?? []).filter(
      (u) => !q || matchesVi(`${u.org_unit.code} ${u.org_unit.name_vi}`, q),
    );
    return list;
  }, [r, q]);
  const n = r?.units.length ?? 0;

  const columns: Array<Column<UnitResult>> = [
    {
      key: 'rank',
      header: t('ranking.col.rank'),
      numeric: true,
      sort: (u) => (isRoot ? u.rank : (u.nodes[current]?.rank ?? null)),
      cell: (u) => <strong>{formatNumber(lang, isRoot ? u.rank : (u.nodes[current]?.rank ?? null))}</strong>,
    },
    {
      key: 'unit',
      header: t('ranking.col.unit'),
      rowHeader: true,
      sort: (u) => u.org_unit.name_vi,
      cell: (u) => <Link to={paths.unit(u.org_unit.code)}>{u.org_unit.name_vi}</Link>,
      className: 'col-wide',
    },
    {
      key: 'score',
      header: t('ranking.col.score'),
      numeric: true,
      sort: (u) => (isRoot ? u.score : (u.nodes[current]?.score ?? null)),
      cell: (u) => formatNumber(lang, isRoot ? u.score : (u.nodes[current]?.score ?? null)),
    },
    {
      key: 'change',
      header: t('ranking.col.change'),
      sort: (u) => (isRoot ? u.rank_change : (u.nodes[current]?.rank_change ?? null)),
      cell: (u) => <RankChange change={isRoot ? u.rank_change : (u.nodes[current]?.rank_change ?? null)} />,
    },
    ...(isRoot
      ? ([
          {
            key: 'median',
            header: t('ranking.col.median'),
            numeric: true,
            sort: (u) => u.sensitivity?.median_rank ?? null,
            cell: (u) => formatNumber(lang, u.sensitivity?.median_rank ?? null),
          },
          {
            key: 'interval',
            header: t('ranking.col.interval'),
            sort: (u) => (u.sensitivity ? u.sensitivity.q95 - u.sensitivity.q5 : null),
            cell: (u) =>
              u.sensitivity ? (
                <span className="interval">
                  <span className="interval-track" aria-hidden="true">
                    <span
                      className="interval-range"
                      style={{
                        left: `${((u.sensitivity.q5 - 1) / Math.max(1, n - 1)) * 100}%`,
                        width: `${Math.max(2, ((u.sensitivity.q95 - u.sensitivity.q5) / Math.max(1, n - 1)) * 100)}%`,
                      }}
                    />
                  </span>
                  {t('ranking.intervalText', {
                    from: formatNumber(lang, u.sensitivity.q5),
                    to: formatNumber(lang, u.sensitivity.q95),
                  })}
                </span>
              ) : (
                '–'
              ),
          },
          {
            key: 'strengths',
            header: t('ranking.col.strengths'),
            cell: (u) => (
              <>
                {u.strengths.length > 0 && (
                  <span className="sub">
                    {t('ranking.strengths', { list: u.strengths.map((s) => nodeName(s.node)).join(', ') })}
                  </span>
                )}
                {u.weaknesses.length > 0 && (
                  <span className="sub">
                    {t('ranking.weaknesses', { list: u.weaknesses.map((s) => nodeName(s.node)).join(', ') })}
                  </span>
                )}
              </>
            ),
          },
        ] as Array<Column<UnitResult>>)
      : []),
  ];

  const title = m
    ? pick(lang, m.name_vi, m.name_en)
    : r
      ? pick(lang, r.methodology.name_vi, r.methodology.name_en)
      : code;
  return (
    <>
      <PageHeader
        kicker={t('ranking.kicker')}
        title={title}
        crumbs={[
          { to: '/', label: t('nav.home') },
          { to: '/rankings', label: t('nav.rankings') },
        ]}
        lead={
          m?.source ? (
            <details className="small basis">
              <summary>{t('ranking.basis')}</summary>
              <p>{m.source}</p>
            </details>
          ) : undefined
        }
        actions={
          r ? (
            <a
              className="btn btn-secondary"
              href={`/api/index/${encodeURIComponent(code)}/results.csv?period=${encodeURIComponent(r.period)}`}
              download
            >
              {t('common.downloadCsv')}
            </a>
          ) : undefined
        }
      />
      {results.error && <ErrorBox error={results.error} onRetry={results.reload} />}
      {!r && !results.error && <Loading />}
      {r && (
        <>
          {r.error && (
            <div className="state state-error" role="alert">
              <p>{pick(lang, r.error.vi, r.error.en)}</p>
            </div>
          )}
          <FilterBar count={t('common.shownOf', { shown: rows.length, total: n })}>
            <SearchBox value={q} onChange={setQ} label={t('units.searchLabel')} />
            <SelectField
              label={t('ranking.year')}
              value={r.period}
              onChange={(v) => set('period', v)}
              options={(m?.years ?? [Number(r.period)]).map((y) => ({ value: String(y), label: String(y) }))}
            />
            <SelectField
              label={t('ranking.node')}
              value={current}
              onChange={(v) => set('node', v === root ? '' : v)}
              options={tree.map(({ node: nd, depth }) => ({
                value: nd.code,
                label: `${'\u2003'.repeat(depth)}${pick(lang, nd.name_vi, nd.name_en)}`,
              }))}
            />
          </FilterBar>
          <Section
            id="ranking"
            title={
              isRoot
                ? t('ranking.tableTitle', { year: r.period })
                : t('ranking.nodeTitle', { node: nodeName(current), year: r.period })
            }
          >
            <Table
              caption={t('ranking.tableTitle', { year: r.period })}
              captionHidden
              columns={columns}
              rows={rows}
              rowKey={(u) => u.org_unit.code}
              initialSort={{ key: 'rank', dir: 'asc' }}
              limit={100}
            />
            {isRoot && r.sensitivity && (
              <p className="muted small">
                {t('ranking.sensitivityNote', {
                  runs: formatNumber(lang, r.sensitivity.runs),
                  noise: formatNumber(lang, r.sensitivity.weight_noise * 100),
                })}
              </p>
            )}
          </Section>
        </>
      )}
    </>
  );
}
