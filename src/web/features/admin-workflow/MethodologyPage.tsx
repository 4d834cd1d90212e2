/**
 * One index methodology version (/admin/methodology/:id): the tree of pillars, main indicators and
 * components with each edge's weight, normalisation and aggregation, the levels it ranks, and a
 * search over the nodes. Editing makes a NEW version (the server keeps the published results of
 * this one with it): names, weights, normalisation and aggregation methods, levels, years, and its
 * shape — nodes added under an aggregate or removed with the children only they feed
 * (MethodologyNodes.tsx). The server validates (weights ≥ 0 and not all zero, indicators in the
 * catalogue, known levels, the graph) and computes the new version before answering; its faults are
 * shown at their nodes.
 */
import { type FormEvent, type MouseEvent, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { SearchBox, SelectField } from '../../components/Fields.tsx';
import { PageHeader, Section } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { useLevels, useNames } from '../../lib/catalogue.ts';
import { formatNumber } from '../../lib/format.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { yearsText } from './MethodologiesPage.tsx';
import {
  ActionError,
  fieldErrors,
  matches,
  RequireAdmin,
  TextField,
  useAction,
  useAdminCrumbs,
} from './shared.tsx';
import {
  AddNodeForm,
  AGGREGATIONS,
  emptyAggregates,
  NORMALISATIONS,
  RemoveConfirm,
  withoutNode,
} from './MethodologyNodes.tsx';
import type { IndexDefinition, IndexNode, MethodologyFull } from './types.ts';

/** Nodes in tree order from the root and the views (a node fed into several parents appears once per parent). */
function treeOrder(
  def: IndexDefinition,
): Array<{ node: IndexNode; depth: number; parent: string | null; edge: number }> {
  const byCode = new Map(def.nodes.map((n) => [n.code, n]));
  const out: Array<{ node: IndexNode; depth: number; parent: string | null; edge: number }> = [];
  const walk = (code: string, depth: number, parent: string | null, edge: number, seen: Set<string>) => {
    const n = byCode.get(code);
    if (!n || seen.has(code)) return;
    out.push({ node: n, depth, parent, edge });
    const next = new Set(seen).add(code);
    n.children?.forEach((c, k) => {
      walk(c.code, depth + 1, code, k, next);
    });
  };
  walk(def.root, 0, null, -1, new Set());
  for (const v of def.views ?? []) if (!out.some((x) => x.node.code === v)) walk(v, 0, null, -1, new Set());
  return out;
}

/**
 * Where a fault the server named belongs: `definition.nodes[3](KTS).children[1].weight` is on the
 * edge from KTS to its second child; `definition.nodes[3](KTS).normalisation` on node KTS.
 */
function faultPlace(
  field: string | undefined,
  def: IndexDefinition,
): { parent: string; child: string } | { node: string } | null {
  const m = /^definition\.nodes\[(\d+)\](?:\([^)]*\))?(?:\.children\[(\d+)\])?/.exec(field ?? '');
  if (!m) return null;
  const n = def.nodes[Number(m[1])];
  if (!n) return null;
  if (m[2] !== undefined) {
    const child = n.children?.[Number(m[2])]?.code;
    if (child) return { parent: n.code, child };
  }
  return { node: n.code };
}

function Editor({ m }: { m: MethodologyFull }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const levels = useLevels();
  const levelName = useNames(levels, lang);
  const [editing, setEditing] = useState(false);
  const [def, setDef] = useState<IndexDefinition>(() => structuredClone(m.definition));
  const [version, setVersion] = useState(`${m.version}-r${new Date().getFullYear()}`);
  const [validFrom, setValidFrom] = useState(String(m.valid_from));
  const [validTo, setValidTo] = useState(m.valid_to === null ? '' : String(m.valid_to));
  const [chosenLevels, setChosenLevels] = useState<string[]>(m.definition.levels ?? m.levels);
  const [q, setQ] = useState('');
  const action = useAction();
  const rows = useMemo(() => treeOrder(def), [def]);
  /** The open add form or removal confirmation: on which row (`parent/code`). */
  const [tool, setTool] = useState<{ kind: 'add' | 'remove'; row: string } | null>(null);
  const [changeNote, setChangeNote] = useState('');
  const [empty, setEmpty] = useState<string[]>([]);
  const rowKey = (parent: string | null, code: string) => `${parent ?? ''}/${code}`;
  const focusSoon = (id: string) =>
    requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById(id)?.focus()));
  const faultsAt = (parent: string | null, code: string) => [
    ...(empty.includes(code) ? [t('adminWf.method.add.emptyAggregate', { code })] : []),
    ...(action.error?.items ?? [])
      .filter((i) => {
        const at = faultPlace(i.field, def);
        if (!at) return false;
        return 'node' in at ? at.node === code : at.parent === parent && at.child === code;
      })
      .map((i) => (lang === 'en' ? i.en : i.vi)),
  ];
  const addUnder = (parentCode: string, node: IndexNode, weight: number) => {
    setDef((d) => ({
      ...d,
      nodes: [
        ...d.nodes.map((n) =>
          n.code === parentCode
            ? { ...n, children: [...(n.children ?? []), { code: node.code, weight }] }
            : n,
        ),
        node,
      ],
    }));
    setEmpty((xs) => xs.filter((x) => x !== parentCode));
    setTool(null);
    setChangeNote(t('adminWf.method.add.added', { code: node.code, parent: parentCode }));
    focusSoon(`node-${rowKey(parentCode, node.code)}-rm`);
  };
  const removeFrom = (parentCode: string, code: string) => {
    const r = withoutNode(def, parentCode, code);
    setDef(r.def);
    setTool(null);
    setChangeNote(t('adminWf.method.remove.done', { code, parent: parentCode, count: r.removed.length }));
    const parentRow = treeOrder(r.def).find((x) => x.node.code === parentCode);
    if (parentRow) focusSoon(`node-${rowKey(parentRow.parent, parentCode)}-add`);
  };

  const setNode = (code: string, patch: (n: IndexNode) => IndexNode) =>
    setDef((d) => ({ ...d, nodes: d.nodes.map((n) => (n.code === code ? patch(n) : n)) }));
  const setWeight = (parent: string, edge: number, raw: string) =>
    setNode(parent, (n) => ({
      ...n,
      children: n.children!.map((c, k) =>
        k === edge ? { ...c, weight: raw.trim() === '' ? Number.NaN : Number(raw.replace(',', '.')) } : c,
      ),
    }));

  const onSubmit = async (e: FormEvent | MouseEvent) => {
    e.preventDefault();
    const hollow = emptyAggregates(def);
    setEmpty(hollow);
    if (hollow.length) {
      const first = treeOrder(def).find((x) => x.node.code === hollow[0]);
      if (first) focusSoon(`node-${rowKey(first.parent, first.node.code)}-add`);
      return;
    }
    const definition = {
      ...def,
      version: version.trim(),
      valid_from: Number(validFrom),
      valid_to: validTo.trim() === '' ? null : Number(validTo),
      levels: chosenLevels,
    };
    const out = await action.run(() =>
      api.post<{ id: number }>('/api/index/methodologies', {
        definition,
        source_document: m.source_document,
      }),
    );
    if (!out) return;
    invalidate('/api/index');
    navigate(`/admin/methodology/${out.id}`, { state: { created: true } });
  };

  const visible = rows.filter(({ node }) =>
    matches(q, node.code, node.name_vi, node.name_en, node.indicator),
  );
  const sums = new Map(
    def.nodes
      .filter((n) => n.children)
      .map((n) => [n.code, n.children!.reduce((s, c) => s + (c.weight ?? 1), 0)] as const),
  );

  return (
    <Section
      id="structure"
      title={t('adminWf.method.structure', { count: def.nodes.length })}
      actions={
        !editing && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing(true)}>
            {t('adminWf.method.edit')}
          </button>
        )
      }
    >
      <dl className="meta">
        <dt>{t('adminWf.method.col.valid')}</dt>
        <dd>{yearsText(m.valid_from, m.valid_to)}</dd>
        <dt>{t('adminWf.method.col.levels')}</dt>
        <dd>{m.levels.map(levelName).join(', ') || '–'}</dd>
        <dt>{t('adminWf.method.col.results')}</dt>
        <dd>{m.years.join(', ') || '–'}</dd>
        <dt>{t('adminWf.method.createdBy')}</dt>
        <dd>{m.created_by ?? '–'}</dd>
      </dl>
      {editing && <p className="notice">{t('adminWf.method.newVersionNote', { version: m.version })}</p>}
      <ActionError
        error={action.error}
        fields={['definition.nodes', 'definition.version', 'definition.valid_from', 'definition.valid_to']}
      />
      {/* not a <form>: the add-a-node forms live inside the tree; saving is the button below */}
      <div className="form">
        {editing && (
          <fieldset className="form-row">
            <legend className="visually-hidden">{t('adminWf.method.versionFields')}</legend>
            <TextField
              label={t('adminWf.method.newVersion')}
              value={version}
              onChange={setVersion}
              required
              mono
              errors={fieldErrors(action.error, lang, 'definition.version')}
            />
            <TextField
              label={t('adminWf.method.validFrom')}
              value={validFrom}
              onChange={setValidFrom}
              inputMode="numeric"
              required
              errors={fieldErrors(action.error, lang, 'definition.valid_from')}
            />
            <TextField
              label={t('adminWf.method.validTo')}
              value={validTo}
              onChange={setValidTo}
              inputMode="numeric"
              help={t('adminWf.method.validToHelp')}
              errors={fieldErrors(action.error, lang, 'definition.valid_to')}
            />
          </fieldset>
        )}
        {editing && (
          <fieldset className="level-choices">
            <legend>{t('adminWf.method.levelsRanked')}</legend>
            {(levels ?? []).map((l) => (
              <label key={l.code} className="inline-check">
                <input
                  type="checkbox"
                  checked={chosenLevels.includes(l.code)}
                  onChange={(e) =>
                    setChosenLevels((xs) =>
                      e.target.checked ? [...xs, l.code] : xs.filter((x) => x !== l.code),
                    )
                  }
                />
                {pick(lang, l.name_vi, l.name_en)}
              </label>
            ))}
          </fieldset>
        )}
        <SearchBox value={q} onChange={setQ} label={t('adminWf.method.searchNodes')} />
        {editing && (
          <p className="muted small" role="status">
            {changeNote}
          </p>
        )}
        <ol className="method-tree">
          {visible.map(({ node, depth, parent, edge }) => {
            const parentNode = parent ? def.nodes.find((n) => n.code === parent) : undefined;
            const w = parentNode?.children?.[edge]?.weight;
            const faults = faultsAt(parent, node.code);
            const key = `${parent ?? ''}/${node.code}`;
            return (
              <li
                key={key}
                className={`method-node depth-${Math.min(depth, 4)}${faults.length ? ' has-error' : ''}`}
              >
                <div className="method-head">
                  <span className="indicator-name">
                    <span className="code">
                      {node.code}
                      {node.indicator ? ` · ${t('adminWf.method.leaf', { indicator: node.indicator })}` : ''}
                    </span>
                    {pick(lang, node.name_vi, node.name_en)}
                  </span>
                  {!editing && (
                    <span className="method-facts small">
                      {parent && (
                        <>
                          {t('adminWf.method.weightIn', { weight: formatNumber(lang, w ?? 1, 4), parent })} ·{' '}
                        </>
                      )}
                      {node.children
                        ? t('adminWf.method.aggregation', { kind: node.aggregation?.kind ?? 'arithmetic' })
                        : t('adminWf.method.normalisation', { kind: node.normalisation?.kind ?? 'none' })}
                      {node.max_points !== undefined && (
                        <> · {t('adminWf.method.maxPoints', { points: node.max_points })}</>
                      )}
                      {node.children && (
                        <>
                          {' '}
                          ·{' '}
                          {t('adminWf.method.weightSum', {
                            sum: formatNumber(lang, sums.get(node.code) ?? 0, 4),
                          })}
                        </>
                      )}
                    </span>
                  )}
                </div>
                {editing && (
                  <div className="method-edit">
                    {parent && (
                      <TextField
                        label={t('adminWf.method.weightField', { code: node.code, parent })}
                        value={w === undefined ? '1' : Number.isNaN(w) ? '' : String(w)}
                        onChange={(v) => setWeight(parent, edge, v)}
                        inputMode="decimal"
                      />
                    )}
                    {node.children ? (
                      <>
                        <SelectField
                          label={t('adminWf.method.aggregationField', { code: node.code })}
                          value={node.aggregation?.kind ?? 'arithmetic'}
                          onChange={(v) =>
                            setNode(node.code, (n) => ({
                              ...n,
                              aggregation: v === 'generalised' ? { kind: v, p: 2 } : { kind: v },
                            }))
                          }
                          options={AGGREGATIONS.map((a) => ({ value: a, label: a }))}
                        />
                        <p className="muted small">
                          {t('adminWf.method.weightSum', {
                            sum: formatNumber(lang, sums.get(node.code) ?? 0, 4),
                          })}
                        </p>
                      </>
                    ) : (
                      <SelectField
                        label={t('adminWf.method.normalisationField', { code: node.code })}
                        value={node.normalisation?.kind ?? 'none'}
                        onChange={(v) =>
                          setNode(node.code, (n) => ({
                            ...n,
                            // the parameters of the current method stay; a new method starts without any
                            normalisation: n.normalisation?.kind === v ? n.normalisation : { kind: v },
                          }))
                        }
                        options={NORMALISATIONS.map((a) => ({ value: a, label: a }))}
                      />
                    )}
                  </div>
                )}
                {editing && (node.children || parent) && (
                  <div className="node-tools">
                    {node.children && (
                      <button
                        type="button"
                        id={`node-${key}-add`}
                        className="btn btn-secondary btn-small"
                        aria-expanded={tool?.kind === 'add' && tool.row === key}
                        onClick={() =>
                          setTool(tool?.kind === 'add' && tool.row === key ? null : { kind: 'add', row: key })
                        }
                      >
                        {t('adminWf.method.add.open', { code: node.code })}
                      </button>
                    )}
                    {parent && (
                      <button
                        type="button"
                        id={`node-${key}-rm`}
                        className="btn btn-secondary btn-small"
                        aria-expanded={tool?.kind === 'remove' && tool.row === key}
                        onClick={() => {
                          setTool(
                            tool?.kind === 'remove' && tool.row === key ? null : { kind: 'remove', row: key },
                          );
                          focusSoon(`rm-${parent}-${node.code}-yes`);
                        }}
                      >
                        {t('adminWf.method.remove.open', { code: node.code, parent })}
                      </button>
                    )}
                  </div>
                )}
                {editing && tool?.row === key && tool.kind === 'add' && (
                  <AddNodeForm
                    parent={node}
                    def={def}
                    onAdd={(n, weight) => addUnder(node.code, n, weight)}
                    onCancel={() => {
                      setTool(null);
                      focusSoon(`node-${key}-add`);
                    }}
                  />
                )}
                {editing && parent && tool?.row === key && tool.kind === 'remove' && (
                  <RemoveConfirm
                    parent={parent}
                    code={node.code}
                    removed={withoutNode(def, parent, node.code).removed}
                    onConfirm={() => removeFrom(parent, node.code)}
                    onCancel={() => {
                      setTool(null);
                      focusSoon(`node-${key}-rm`);
                    }}
                  />
                )}
                {faults.length > 0 && (
                  <ul className="field-error">
                    {faults.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
        {editing && (
          <div className="form-actions sticky-actions">
            <button type="button" className="btn btn-primary" disabled={action.busy} onClick={onSubmit}>
              {action.busy ? t('adminWf.method.saving') : t('adminWf.method.save')}
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                setEditing(false);
                setDef(structuredClone(m.definition));
                action.setError(null);
                setTool(null);
                setEmpty([]);
                setChangeNote('');
              }}
            >
              {t('adminWf.cancel')}
            </button>
          </div>
        )}
      </div>
    </Section>
  );
}

function View({ id }: { id: number }) {
  const { t, lang } = useI18n();
  const location = useLocation();
  const crumbs = [...useAdminCrumbs(), { to: '/admin/methodology', label: t('adminWf.method.title') }];
  const m = useApi<MethodologyFull>(`/api/index/methodologies/${id}`, undefined, { fresh: true });
  if (m.error) return <ErrorBox error={m.error} onRetry={m.reload} />;
  if (!m.data) return <Loading />;
  return (
    <>
      <PageHeader
        kicker={`${m.data.code} · ${t('adminWf.method.version', { version: m.data.version })}`}
        title={pick(lang, m.data.name_vi, m.data.name_en)}
        crumbs={crumbs}
        actions={
          <Link className="btn btn-secondary" to={`/rankings/${encodeURIComponent(m.data.code)}`}>
            {t('adminWf.method.results')}
          </Link>
        }
      />
      {(location.state as { created?: boolean } | null)?.created && (
        <div className="notice notice-success" role="status">
          <p>
            {t('adminWf.method.created', { version: m.data.version, years: m.data.years.join(', ') || '–' })}
          </p>
        </div>
      )}
      <Editor key={m.data.id} m={m.data} />
      <p>
        <Link to="/admin/methodology">{t('adminWf.back')}</Link>
      </p>
    </>
  );
}

export function Component() {
  const id = Number(useParams().id);
  return <RequireAdmin>{Number.isInteger(id) && id > 0 ? <View id={id} /> : null}</RequireAdmin>;
}
