/** Administration: register or edit a source document (its number, symbol, date, issuer, titles). */
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/Page.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { type Key, pick, useI18n } from '../../i18n/i18n.tsx';
import { api } from '../../lib/api.ts';
import { enumLabel } from '../../lib/catalogue.ts';
import { paths } from '../../lib/paths.ts';
import type { SourceDocument } from '../../lib/types.ts';
import { invalidate, useApi } from '../../lib/useApi.ts';
import {
  adminCrumbs,
  ConflictNotice,
  RequireAdmin,
  SaveSummary,
  Select,
  TextArea,
  TextInput,
  useSave,
} from './form.tsx';

const KINDS = ['plan', 'decision', 'resolution', 'report', 'news', 'article', 'other'] as const;
const FIELDS = [
  'code',
  'kind',
  'number',
  'symbol',
  'date',
  'issuer',
  'title_vi',
  'title_en',
  'seed',
  'url',
  'note',
] as const;
type Field = (typeof FIELDS)[number];
type FormState = Record<Field, string>;

const LABELS: Record<Field, Key> = {
  code: 'admin.document.code',
  kind: 'admin.document.kind',
  number: 'admin.document.number',
  symbol: 'admin.document.symbol',
  date: 'admin.document.date',
  issuer: 'admin.document.issuer',
  title_vi: 'admin.document.titleVi',
  title_en: 'admin.document.titleEn',
  seed: 'admin.document.seed',
  url: 'admin.document.url',
  note: 'admin.document.note',
};

const fromDocument = (d: SourceDocument | null): FormState =>
  Object.fromEntries(
    FIELDS.map((k) => [
      k,
      d ? String((d as unknown as Record<string, unknown>)[k] ?? '') : k === 'kind' ? 'plan' : '',
    ]),
  ) as FormState;

function DocumentForm({ current }: { current: SourceDocument | null }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const save = useSave();
  const [f, setF] = useState<FormState>(() => fromDocument(current));
  const [version, setVersion] = useState(current?.version ?? 0);
  const [saved, setSaved] = useState(Boolean((location.state as { saved?: boolean } | null)?.saved));
  const set = (k: Field) => (v: string) => {
    setSaved(false);
    setF((s) => ({ ...s, [k]: v }));
  };
  const payload = () => {
    const out: Record<string, string | null> = {};
    for (const k of FIELDS) {
      if (k === 'code' && current) continue;
      const v = f[k].trim();
      out[k] = k === 'title_vi' || k === 'code' || k === 'kind' ? v : v || null;
    }
    return out;
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await save.run(() =>
      current
        ? api.patch<SourceDocument>(`/api/documents/${encodeURIComponent(current.code)}`, {
            ...payload(),
            version,
          })
        : api.post<SourceDocument>('/api/documents', payload()),
    );
    if (!r) return;
    invalidate('/api/documents');
    if (current) {
      setF(fromDocument(r));
      setVersion(r.version);
      setSaved(true);
    } else navigate(`/admin/documents/${encodeURIComponent(r.code)}`, { state: { saved: true } });
  };
  const input = (
    k: Field,
    extra: { required?: boolean; type?: 'text' | 'date' | 'url'; hint?: string } = {},
  ) => (
    <TextInput
      name={k}
      label={t(LABELS[k])}
      value={f[k]}
      onChange={set(k)}
      error={save.fieldError(k)}
      {...extra}
    />
  );
  return (
    <form className="form admin-form" onSubmit={onSubmit} noValidate>
      {saved && (
        <div className="notice notice-success" role="status">
          <p>
            {t('admin.saved')}{' '}
            {current && <Link to={paths.document(current.code)}>{t('admin.document.viewPublic')}</Link>}
          </p>
        </div>
      )}
      <SaveSummary save={save} known={[...FIELDS]} />
      <ConflictNotice
        save={save}
        mine={payload()}
        labels={Object.fromEntries(FIELDS.map((k) => [k, t(LABELS[k])]))}
        onReload={(cur) => {
          if (cur) {
            setF(fromDocument(cur as unknown as SourceDocument));
            setVersion((cur as unknown as SourceDocument).version);
          }
        }}
      />
      <div className="form-row">
        {!current && input('code', { required: true, hint: t('admin.document.codeHint') })}
        <Select
          name="kind"
          label={t(LABELS.kind)}
          value={f.kind}
          onChange={set('kind')}
          error={save.fieldError('kind')}
          options={KINDS.map((k) => ({ value: k, label: enumLabel(t, 'docKind', k) }))}
        />
        {input('number')}
        {input('symbol')}
        {input('date', { type: 'date' })}
      </div>
      {input('issuer')}
      {input('title_vi', { required: true })}
      {input('title_en')}
      <div className="form-row">
        {input('url', { type: 'url' })}
        {input('seed', { hint: t('admin.document.seedHint') })}
      </div>
      <TextArea
        name="note"
        label={t(LABELS.note)}
        value={f.note}
        onChange={set('note')}
        error={save.fieldError('note')}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          {save.busy ? t('admin.saving') : current ? t('admin.save') : t('admin.documents.create')}
        </button>
        <Link to="/admin/documents">{t('admin.backToList')}</Link>
      </div>
    </form>
  );
}

function DocumentEdit() {
  const { t, lang } = useI18n();
  const code = useParams().code;
  const one = useApi<SourceDocument>(
    code === undefined ? null : `/api/documents/${encodeURIComponent(code)}`,
    undefined,
    {
      fresh: true,
    },
  );
  const crumbs = [...adminCrumbs(t), { to: '/admin/documents', label: t('admin.documents.title') }];
  if (code === undefined) {
    return (
      <>
        <PageHeader title={t('admin.documents.new')} crumbs={crumbs} />
        <DocumentForm current={null} />
      </>
    );
  }
  if (one.error) {
    return (
      <>
        <PageHeader title={code} crumbs={crumbs} />
        <ErrorBox error={one.error} onRetry={one.reload} />
      </>
    );
  }
  if (!one.data) return <Loading />;
  return (
    <>
      <PageHeader
        kicker={<span className="code">{one.data.code}</span>}
        title={pick(lang, one.data.title_vi, one.data.title_en)}
        crumbs={crumbs}
      />
      <DocumentForm key={one.data.code} current={one.data} />
    </>
  );
}

export function Component() {
  return (
    <RequireAdmin>
      <DocumentEdit />
    </RequireAdmin>
  );
}
