/**
 * Administration: indicator groups (pillars). The groups in their order, searchable without
 * diacritics; move a group up or down (the whole order is saved), rename it in Vietnamese and
 * English (optimistic version: someone else's rename shows as a conflict), archive it after a
 * confirmation (refused by the server while indicators belong to it — they are listed with links to
 * their edit pages, where the group is changed), restore an archived one, add a new one.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { CheckboxField, FilterBar, SearchBox } from '../../components/Fields.tsx';
import { PageHeader } from '../../components/Page.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import { matches } from '../admin-workflow/shared.tsx';
import { adminCrumbs, ConflictNotice, RequireAdmin, SaveSummary, TextInput, useSave } from './form.tsx';

export interface GroupRow {
  code: string;
  name_vi: string;
  name_en: string;
  sort: number;
  version: number;
  indicator_count: number;
  archived_at: string | null;
}

/** Focuses an element once the list has re-rendered (the moved row's button, a form's first field). */
const focusSoon = (id: string) =>
  requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById(id)?.focus()));

function RenameForm({ group, onDone }: { group: GroupRow; onDone(g: GroupRow | null): void }) {
  const { t } = useI18n();
  const save = useSave();
  const [base, setBase] = useState(group);
  const [nameVi, setNameVi] = useState(group.name_vi);
  const [nameEn, setNameEn] = useState(group.name_en);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const g = await save.run(() =>
      api.patch<GroupRow>(`/api/indicator-groups/${encodeURIComponent(group.code)}`, {
        name_vi: nameVi,
        name_en: nameEn,
        version: base.version,
      }),
    );
    if (g) onDone(g);
  };
  return (
    <form
      className="group-form"
      onSubmit={submit}
      noValidate
      aria-label={t('admin.groups.renameOf', { code: group.code })}
    >
      <ConflictNotice
        save={save}
        mine={{ name_vi: nameVi, name_en: nameEn }}
        labels={{ name_vi: t('admin.groups.nameVi'), name_en: t('admin.groups.nameEn') }}
        onReload={(current) => {
          if (!current) return;
          const c = current as unknown as GroupRow;
          setBase(c);
          setNameVi(c.name_vi);
          setNameEn(c.name_en);
        }}
      />
      <SaveSummary save={save} known={['name_vi', 'name_en']} />
      <div className="group-form-fields">
        <TextInput
          name={`${group.code}-name_vi`}
          label={t('admin.groups.nameVi')}
          value={nameVi}
          onChange={setNameVi}
          error={save.fieldError('name_vi')}
          required
        />
        <TextInput
          name={`${group.code}-name_en`}
          label={t('admin.groups.nameEn')}
          value={nameEn}
          onChange={setNameEn}
          error={save.fieldError('name_en')}
          required
        />
      </div>
      <div className="group-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : t('admin.groups.saveName')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => onDone(null)}>
          {t('admin.groups.cancel')}
        </button>
      </div>
    </form>
  );
}

function ArchiveConfirm({ group, onDone }: { group: GroupRow; onDone(g: GroupRow | null): void }) {
  const { t, lang } = useI18n();
  const save = useSave();
  const name = pick(lang, group.name_vi, group.name_en);
  const members = (save.error?.problem.details as { indicators?: string[] } | undefined)?.indicators ?? [];
  const archive = async () => {
    const g = await save.run(() =>
      api.post<GroupRow>(`/api/indicator-groups/${encodeURIComponent(group.code)}/archive`, {
        version: group.version,
      }),
    );
    if (g) onDone(g);
  };
  return (
    <div className="group-confirm">
      <p>{t('admin.groups.archiveQuestion', { name })}</p>
      {save.error && (
        <div className="state state-error" role="alert" tabIndex={-1} ref={save.summaryRef}>
          <p>
            <strong>{t('admin.form.refused')}</strong> {save.error.text(lang)}
          </p>
          {members.length > 0 && (
            <ul className="group-members">
              {members.map((c) => (
                <li key={c}>
                  <Link to={`/admin/indicators/${encodeURIComponent(c)}`}>{c}</Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="group-actions">
        <button
          type="button"
          id={`g-${group.code}-confirm`}
          className="btn btn-danger"
          onClick={archive}
          disabled={save.busy}
        >
          {t('admin.groups.archiveConfirm')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => onDone(null)}>
          {t('admin.groups.cancel')}
        </button>
      </div>
    </div>
  );
}

function NewGroup({ onCreated }: { onCreated(g: GroupRow): void }) {
  const { t } = useI18n();
  const save = useSave();
  const [code, setCode] = useState('');
  const [nameVi, setNameVi] = useState('');
  const [nameEn, setNameEn] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const g = await save.run(() =>
      api.post<GroupRow>('/api/indicator-groups', { code: code.trim(), name_vi: nameVi, name_en: nameEn }),
    );
    if (g) {
      setCode('');
      setNameVi('');
      setNameEn('');
      onCreated(g);
    }
  };
  return (
    <section className="section" aria-labelledby="new-group-h">
      <h2 id="new-group-h">{t('admin.groups.new')}</h2>
      <form className="group-new" onSubmit={submit} noValidate>
        <SaveSummary save={save} known={['code', 'name_vi', 'name_en']} />
        <div className="group-form-fields">
          <TextInput
            name="new-code"
            label={t('admin.groups.code')}
            value={code}
            onChange={setCode}
            error={save.fieldError('code')}
            hint={t('admin.groups.codeHint')}
            required
          />
          <TextInput
            name="new-name_vi"
            label={t('admin.groups.nameVi')}
            value={nameVi}
            onChange={setNameVi}
            error={save.fieldError('name_vi')}
            required
          />
          <TextInput
            name="new-name_en"
            label={t('admin.groups.nameEn')}
            value={nameEn}
            onChange={setNameEn}
            error={save.fieldError('name_en')}
            required
          />
        </div>
        <div className="group-actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            {t('admin.groups.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

function GroupsAdmin() {
  const { t, lang } = useI18n();
  const list = useApi<{ items: GroupRow[] }>(
    '/api/indicator-groups',
    { include_archived: 'true' },
    { fresh: true },
  );
  const [local, setLocal] = useState<GroupRow[] | null>(null);
  const [q, setQ] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const [open, setOpen] = useState<{ code: string; what: 'rename' | 'archive' } | null>(null);
  const [message, setMessage] = useState('');
  const order = useSave();
  const all = local ?? list.data?.items ?? [];
  const active = all.filter((g) => !g.archived_at);
  const archivedCount = all.length - active.length;
  const shown = (showArchived ? all : active).filter((g) => matches(q, g.code, g.name_vi, g.name_en));
  const searching = q.trim() !== '';

  const changed = (msg: string, next?: GroupRow[]) => {
    if (next) setLocal(next);
    setMessage(msg);
    invalidate('/api/indicator-groups');
  };
  const replace = (g: GroupRow) => all.map((x) => (x.code === g.code ? g : x));

  const move = async (code: string, dir: -1 | 1) => {
    const codes = active.map((g) => g.code);
    const i = codes.indexOf(code);
    const j = i + dir;
    if (i < 0 || j < 0 || j >= codes.length) return;
    [codes[i], codes[j]] = [codes[j]!, codes[i]!];
    const r = await order.run(() => api.put<{ items: GroupRow[] }>('/api/indicator-groups/order', { codes }));
    if (!r) return;
    const g = r.items.find((x) => x.code === code)!;
    changed(t('admin.groups.moved', { name: pick(lang, g.name_vi, g.name_en), n: j + 1 }), [
      ...r.items,
      ...all.filter((x) => x.archived_at),
    ]);
    // keep the focus on the button pressed, or on the other one at either end
    const edge = (dir === -1 && j === 0) || (dir === 1 && j === codes.length - 1);
    focusSoon(`g-${code}-${edge ? (dir === -1 ? 'down' : 'up') : dir === -1 ? 'up' : 'down'}`);
  };

  const restore = async (g: GroupRow) => {
    const r = await order.run(() =>
      api.post<GroupRow>(`/api/indicator-groups/${encodeURIComponent(g.code)}/restore`),
    );
    if (!r) return;
    const rest = all.filter((x) => x.code !== r.code);
    changed(t('admin.groups.restored', { name: pick(lang, r.name_vi, r.name_en) }), [
      ...rest.filter((x) => !x.archived_at),
      r,
      ...rest.filter((x) => x.archived_at),
    ]);
    focusSoon(`g-${r.code}-rename`);
  };

  return (
    <>
      <PageHeader
        title={t('admin.groups.title')}
        crumbs={adminCrumbs(t)}
        lead={<p>{t('admin.groups.lead')}</p>}
      />
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <>
          <FilterBar
            count={t('common.shownOf', {
              shown: shown.length,
              total: showArchived ? all.length : active.length,
            })}
          >
            <SearchBox value={q} onChange={setQ} label={t('admin.groups.search')} />
            <CheckboxField
              label={t('admin.groups.showArchived', { n: archivedCount })}
              checked={showArchived}
              onChange={setShowArchived}
            />
          </FilterBar>
          {message && (
            <p className="notice notice-success" role="status" id="groups-message" tabIndex={-1}>
              {message}
            </p>
          )}
          {searching && <p className="muted small">{t('admin.groups.orderWhileSearching')}</p>}
          <SaveSummary save={order} known={[]} />
          {shown.length === 0 ? (
            <Empty>{t('admin.groups.none')}</Empty>
          ) : (
            <ol className="group-list">
              {shown.map((g) => {
                const name = pick(lang, g.name_vi, g.name_en);
                const other = lang === 'en' ? g.name_vi : g.name_en;
                const pos = active.findIndex((x) => x.code === g.code);
                const isOpen = (what: 'rename' | 'archive') => open?.code === g.code && open.what === what;
                return (
                  <li key={g.code} className={g.archived_at ? 'group-row archived' : 'group-row'}>
                    <div className="group-main">
                      <span className="group-pos" aria-hidden="true">
                        {g.archived_at ? '–' : pos + 1}
                      </span>
                      <div className="group-names">
                        <strong>{name}</strong>
                        <span className="muted small" lang={lang === 'en' ? 'vi' : 'en'}>
                          {other}
                        </span>
                        <span className="code small">{g.code}</span>
                      </div>
                      <span className="group-count">
                        {t('admin.groups.count', { n: g.indicator_count })}
                        {g.archived_at && <span className="badge">{t('admin.groups.archived')}</span>}
                      </span>
                    </div>
                    <div className="group-actions">
                      {!g.archived_at && (
                        <>
                          <button
                            type="button"
                            id={`g-${g.code}-up`}
                            className="btn btn-secondary btn-small"
                            aria-label={t('admin.groups.moveUp', { name })}
                            disabled={searching || pos === 0 || order.busy}
                            onClick={() => move(g.code, -1)}
                          >
                            <span aria-hidden="true">↑</span>
                          </button>
                          <button
                            type="button"
                            id={`g-${g.code}-down`}
                            className="btn btn-secondary btn-small"
                            aria-label={t('admin.groups.moveDown', { name })}
                            disabled={searching || pos === active.length - 1 || order.busy}
                            onClick={() => move(g.code, 1)}
                          >
                            <span aria-hidden="true">↓</span>
                          </button>
                          <button
                            type="button"
                            id={`g-${g.code}-rename`}
                            className="btn btn-secondary btn-small"
                            aria-expanded={isOpen('rename')}
                            aria-label={t('admin.groups.renameLabel', { name })}
                            onClick={() => {
                              setOpen(isOpen('rename') ? null : { code: g.code, what: 'rename' });
                              focusSoon(`f-${g.code}-name_vi`);
                            }}
                          >
                            {t('admin.groups.rename')}
                          </button>
                          <button
                            type="button"
                            id={`g-${g.code}-archive`}
                            className="btn btn-secondary btn-small"
                            aria-expanded={isOpen('archive')}
                            aria-label={t('admin.groups.archiveLabel', { name })}
                            onClick={() => {
                              setOpen(isOpen('archive') ? null : { code: g.code, what: 'archive' });
                              focusSoon(`g-${g.code}-confirm`);
                            }}
                          >
                            {t('admin.groups.archive')}
                          </button>
                        </>
                      )}
                      {g.archived_at && (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          aria-label={t('admin.groups.restoreLabel', { name })}
                          disabled={order.busy}
                          onClick={() => restore(g)}
                        >
                          {t('admin.groups.restore')}
                        </button>
                      )}
                    </div>
                    {isOpen('rename') && (
                      <RenameForm
                        group={g}
                        onDone={(r) => {
                          setOpen(null);
                          if (r)
                            changed(
                              t('admin.groups.renamed', { name: pick(lang, r.name_vi, r.name_en) }),
                              replace(r),
                            );
                          focusSoon(`g-${g.code}-rename`);
                        }}
                      />
                    )}
                    {isOpen('archive') && (
                      <ArchiveConfirm
                        group={g}
                        onDone={(r) => {
                          setOpen(null);
                          if (r) {
                            changed(t('admin.groups.archivedDone', { name }), replace(r));
                            focusSoon('groups-message');
                          } else {
                            focusSoon(`g-${g.code}-archive`);
                          }
                        }}
                      />
                    )}
                  </li>
                );
              })}
            </ol>
          )}
          <NewGroup
            onCreated={(g) => {
              changed(t('admin.groups.created', { name: pick(lang, g.name_vi, g.name_en) }), [
                ...active,
                g,
                ...all.filter((x) => x.archived_at),
              ]);
              focusSoon(`g-${g.code}-rename`);
            }}
          />
        </>
      )}
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <GroupsAdmin />
    </RequireAdmin>
  );
}
