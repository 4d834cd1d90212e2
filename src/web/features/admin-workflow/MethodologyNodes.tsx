/**
 * Changing the shape of an index methodology in the editor (the change becomes a new version when
 * saved): adding a node under an aggregate — a pillar or main indicator (an aggregate with its
 * aggregation) or a component (a leaf: the catalogue indicator, found without diacritics, its
 * normalisation and maximum points) with its weight — and removing a node from its parent together
 * with every node that then feeds nothing (a node another parent still uses stays). The engine
 * checks the whole graph on save; its faults come back at their nodes.
 */
import { type FormEvent, type ReactNode, useId, useMemo, useState } from 'react';
import { SelectField } from '../../components/Fields.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import type { Indicator, ListOf } from '../../lib/types.ts';
import { useApi } from '../../lib/useApi.ts';
import { matches, TextField } from './shared.tsx';
import type { IndexDefinition, IndexNode } from './types.ts';
import './methodology.css';

export const NORMALISATIONS = [
  'none',
  'minmax',
  'zscore',
  'rank',
  'percentile_rank',
  'target',
  'goalposts',
  'points',
];
export const AGGREGATIONS = ['arithmetic', 'geometric', 'harmonic', 'generalised', 'sum', 'copeland'];

/** The codes reachable from the root and the views. */
function reachable(def: IndexDefinition): Set<string> {
  const byCode = new Map(def.nodes.map((n) => [n.code, n]));
  const seen = new Set<string>();
  const todo = [def.root, ...(def.views ?? [])];
  while (todo.length) {
    const c = todo.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    for (const e of byCode.get(c)?.children ?? []) todo.push(e.code);
  }
  return seen;
}

/**
 * The definition without the edge parent → code, and without every node that no longer feeds the
 * root or a view (the node itself unless another parent uses it, and its children likewise).
 */
export function withoutNode(
  def: IndexDefinition,
  parent: string,
  code: string,
): { def: IndexDefinition; removed: string[] } {
  const cut: IndexDefinition = {
    ...def,
    nodes: def.nodes.map((n) =>
      n.code === parent ? { ...n, children: (n.children ?? []).filter((e) => e.code !== code) } : n,
    ),
  };
  const keep = reachable(cut);
  const removed = cut.nodes.filter((n) => !keep.has(n.code)).map((n) => n.code);
  return {
    def: {
      ...cut,
      nodes: cut.nodes.filter((n) => keep.has(n.code)),
      ...(cut.views ? { views: cut.views.filter((v) => keep.has(v)) } : {}),
    },
    removed,
  };
}

/** Aggregates without any child: the engine refuses them; said at the node before saving. */
export function emptyAggregates(def: IndexDefinition): string[] {
  return def.nodes.filter((n) => n.children && n.children.length === 0).map((n) => n.code);
}

const NODE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export function AddNodeForm({
  parent,
  def,
  onAdd,
  onCancel,
}: {
  parent: IndexNode;
  def: IndexDefinition;
  onAdd(node: IndexNode, weight: number): void;
  onCancel(): void;
}) {
  const { t, lang } = useI18n();
  const uid = useId();
  const indicators = useApi<ListOf<Indicator>>('/api/indicators', { limit: 1000 });
  const [kind, setKind] = useState<'leaf' | 'aggregate'>('leaf');
  const [code, setCode] = useState('');
  const [nameVi, setNameVi] = useState('');
  const [nameEn, setNameEn] = useState('');
  const [weight, setWeight] = useState('1');
  const [find, setFind] = useState('');
  const [indicator, setIndicator] = useState('');
  const [normalisation, setNormalisation] = useState('minmax');
  const [maxPoints, setMaxPoints] = useState('');
  const [aggregation, setAggregation] = useState('arithmetic');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const parentName = pick(lang, parent.name_vi, parent.name_en);

  const found = useMemo(
    () =>
      (indicators.data?.items ?? []).filter((i) => matches(find, i.code, i.name_vi, i.name_en)).slice(0, 200),
    [indicators.data, find],
  );
  const chosen = indicators.data?.items.find((i) => i.code === indicator);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const c = code.trim();
    if (!NODE_CODE.test(c)) errs.code = t('adminWf.method.add.codeInvalid');
    else if (def.nodes.some((n) => n.code === c)) errs.code = t('adminWf.method.add.codeTaken', { code: c });
    if (!nameVi.trim()) errs.name_vi = t('adminWf.method.add.required');
    if (!nameEn.trim()) errs.name_en = t('adminWf.method.add.required');
    const w = Number(weight.replace(',', '.'));
    if (weight.trim() === '' || !Number.isFinite(w) || w < 0)
      errs.weight = t('adminWf.method.add.weightInvalid');
    if (kind === 'leaf' && !indicator) errs.indicator = t('adminWf.method.add.indicatorRequired');
    const mp = maxPoints.trim() === '' ? undefined : Number(maxPoints.replace(',', '.'));
    if (mp !== undefined && !(Number.isFinite(mp) && mp >= 0))
      errs.max_points = t('adminWf.method.add.pointsInvalid');
    if (kind === 'leaf' && normalisation === 'points' && mp === undefined)
      errs.max_points = t('adminWf.method.add.pointsRequired');
    setErrors(errs);
    const first = ['code', 'name_vi', 'name_en', 'weight', 'indicator', 'max_points'].find((f) => errs[f]);
    if (first) {
      requestAnimationFrame(() =>
        document.getElementById(`${uid}-${first}-wrap`)?.querySelector<HTMLElement>('input, select')?.focus(),
      );
      return;
    }
    const node: IndexNode =
      kind === 'leaf'
        ? {
            code: c,
            name_vi: nameVi.trim(),
            name_en: nameEn.trim(),
            indicator,
            normalisation:
              normalisation === 'points'
                ? { kind: 'points', rule: { kind: 'linear', full_at: 'target' } }
                : { kind: normalisation },
            ...(mp !== undefined ? { max_points: mp } : {}),
          }
        : {
            code: c,
            name_vi: nameVi.trim(),
            name_en: nameEn.trim(),
            children: [],
            aggregation: aggregation === 'generalised' ? { kind: aggregation, p: 2 } : { kind: aggregation },
            ...(mp !== undefined ? { max_points: mp } : {}),
          };
    onAdd(node, w);
  };

  // TextField makes its own ids: a field this form focuses is found through its wrapper
  const at = (f: string, el: ReactNode) => (
    <div className="add-node-field" id={`${uid}-${f}-wrap`}>
      {el}
    </div>
  );
  const list = (f: string) => (errors[f] ? [errors[f]!] : []);

  return (
    <form
      className="add-node"
      onSubmit={submit}
      noValidate
      aria-label={t('adminWf.method.add.formLabel', { parent: parentName })}
    >
      <fieldset className="add-node-kind">
        <legend>{t('adminWf.method.add.kind')}</legend>
        <label className="inline-check">
          <input
            type="radio"
            name={`${uid}-kind`}
            checked={kind === 'leaf'}
            onChange={() => setKind('leaf')}
          />
          {t('adminWf.method.add.leaf')}
        </label>
        <label className="inline-check">
          <input
            type="radio"
            name={`${uid}-kind`}
            checked={kind === 'aggregate'}
            onChange={() => setKind('aggregate')}
          />
          {t('adminWf.method.add.aggregate')}
        </label>
      </fieldset>
      <div className="add-node-grid">
        {at(
          'code',
          <TextField
            label={t('adminWf.method.add.code')}
            value={code}
            onChange={setCode}
            required
            mono
            errors={list('code')}
            help={t('adminWf.method.add.codeHelp')}
          />,
        )}
        {at(
          'name_vi',
          <TextField
            label={t('adminWf.method.add.nameVi')}
            value={nameVi}
            onChange={setNameVi}
            required
            errors={list('name_vi')}
          />,
        )}
        {at(
          'name_en',
          <TextField
            label={t('adminWf.method.add.nameEn')}
            value={nameEn}
            onChange={setNameEn}
            required
            errors={list('name_en')}
          />,
        )}
        {at(
          'weight',
          <TextField
            label={t('adminWf.method.add.weight', { parent: parent.code })}
            value={weight}
            onChange={setWeight}
            inputMode="decimal"
            required
            errors={list('weight')}
          />,
        )}
      </div>
      {kind === 'leaf' ? (
        <div className="add-node-grid">
          <div className="add-node-indicator">
            {at(
              'indicator',
              <TextField
                label={t('adminWf.method.add.findIndicator')}
                value={find}
                onChange={setFind}
                errors={list('indicator')}
                help={
                  chosen
                    ? t('adminWf.method.add.chosen', {
                        indicator: `${chosen.code} — ${pick(lang, chosen.name_vi, chosen.name_en)}`,
                      })
                    : t('adminWf.method.add.findHelp')
                }
              />,
            )}
            <SelectField
              label={t('adminWf.method.add.indicator', { count: found.length })}
              value={indicator}
              onChange={setIndicator}
              allLabel={t('adminWf.method.add.chooseIndicator')}
              options={found.map((i) => ({
                value: i.code,
                label: `${i.code} — ${pick(lang, i.name_vi, i.name_en)}`,
              }))}
            />
          </div>
          <SelectField
            label={t('adminWf.method.add.normalisation')}
            value={normalisation}
            onChange={setNormalisation}
            options={NORMALISATIONS.map((a) => ({ value: a, label: a }))}
          />
          {at(
            'max_points',
            <TextField
              label={t('adminWf.method.add.maxPoints')}
              value={maxPoints}
              onChange={setMaxPoints}
              inputMode="decimal"
              errors={list('max_points')}
              help={t('adminWf.method.add.maxPointsHelp')}
            />,
          )}
        </div>
      ) : (
        <div className="add-node-grid">
          <SelectField
            label={t('adminWf.method.add.aggregation')}
            value={aggregation}
            onChange={setAggregation}
            options={AGGREGATIONS.map((a) => ({ value: a, label: a }))}
          />
          {at(
            'max_points',
            <TextField
              label={t('adminWf.method.add.maxPoints')}
              value={maxPoints}
              onChange={setMaxPoints}
              inputMode="decimal"
              errors={list('max_points')}
              help={t('adminWf.method.add.maxPointsHelp')}
            />,
          )}
          <p className="muted small">{t('adminWf.method.add.aggregateHelp')}</p>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          {t('adminWf.method.add.submit', { parent: parent.code })}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          {t('adminWf.cancel')}
        </button>
      </div>
    </form>
  );
}

export function RemoveConfirm({
  parent,
  code,
  removed,
  onConfirm,
  onCancel,
}: {
  parent: string;
  code: string;
  removed: string[];
  onConfirm(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  return (
    <div className="remove-node" role="alert">
      <p>
        {removed.length === 0
          ? t('adminWf.method.remove.edgeOnly', { code, parent })
          : t('adminWf.method.remove.question', {
              code,
              parent,
              count: removed.length,
              codes: removed.join(', '),
            })}
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-danger" onClick={onConfirm} id={`rm-${parent}-${code}-yes`}>
          {t('adminWf.method.remove.confirm', { code })}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          {t('adminWf.cancel')}
        </button>
      </div>
    </div>
  );
}
