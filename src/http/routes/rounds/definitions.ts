/**
 * Forms, validation rules and reporting contacts.
 */
import { z } from 'zod';
import { addContact, archiveContact, listContacts } from '../../../app/rounds/contacts.ts';
import { archiveForm, createForm, getForm, listForms, reviseForm } from '../../../app/rounds/create-form.ts';
import {
  archiveValidationRule,
  createValidationRule,
  getValidationRule,
  listValidationRules,
  updateValidationRule,
} from '../../../app/rounds/define-validation-rule.ts';
import {
  zContact,
  zContactInput,
  zForm,
  zFormInput,
  zFormRevision,
  zValidationRule,
  zValidationRuleInput,
  zValidationRulePatch,
} from '../../../app/rounds/schemas.ts';
import { PERIOD_TYPES } from '../../../app/catalogue/schemas.ts';
import { policy } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf, unitsFrom } from '../common.ts';
import { callerOf, contactUnit } from './scope.ts';
import { type TxRunner, zBool, zId, zReason } from './shared.ts';

const zCodeParam = z.object({ code: z.string().min(1).max(64) });

export function definitionRoutes(app: App, { store }: ServerDeps, tx: TxRunner): void {
  const db = store.db;

  // ---- forms ----
  app.get(
    '/api/forms',
    {
      schema: {
        tags: ['forms'],
        summary: 'List forms (biểu mẫu)',
        querystring: z.object({ period_type: z.enum(PERIOD_TYPES).optional(), include_archived: zBool }),
        response: {
          200: z.object({
            items: z.array(zForm.omit({ items: true, tasks: true }).extend({ items_count: z.number() })),
          }),
        },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => ({ items: await listForms(db, req.query) }),
  );
  app.get(
    '/api/forms/:code',
    {
      schema: {
        tags: ['forms'],
        summary: 'One form with its items (the current version, or ?version=N)',
        params: zCodeParam,
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        response: { 200: zForm },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => {
      const f = await getForm(db, req.params.code, req.query.version);
      if (!f) throw notFound('biểu mẫu / form', req.params.code);
      return f;
    },
  );
  app.post(
    '/api/forms',
    {
      schema: { tags: ['forms'], summary: 'Create a form', body: zFormInput, response: { 201: zForm } },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => createForm(t, actorOf(req), req.body))),
  );
  app.put(
    '/api/forms/:code',
    {
      schema: {
        tags: ['forms'],
        summary: 'Revise a form: a new version (rounds already open keep theirs)',
        params: zCodeParam,
        body: zFormRevision,
        response: { 200: zForm },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => tx((t) => reviseForm(t, actorOf(req), req.params.code, req.body)),
  );
  app.post(
    '/api/forms/:code/archive',
    {
      schema: {
        tags: ['forms'],
        summary: 'Archive a form (never deleted)',
        params: zCodeParam,
        body: zReason,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => {
      await tx((t) => archiveForm(t, actorOf(req), req.params.code, req.body.reason));
      return { archived: true };
    },
  );

  // ---- validation rules ----
  app.get(
    '/api/validation-rules',
    {
      schema: {
        tags: ['validation rules'],
        summary: 'List validation rules',
        querystring: z.object({
          period_type: z.enum(PERIOD_TYPES).optional(),
          form: z.string().max(64).optional(),
          include_archived: zBool,
        }),
        response: { 200: z.object({ items: z.array(zValidationRule) }) },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => ({ items: await listValidationRules(db, req.query) }),
  );
  app.get(
    '/api/validation-rules/:code',
    {
      schema: {
        tags: ['validation rules'],
        summary: 'One validation rule',
        params: zCodeParam,
        response: { 200: zValidationRule },
      },
      config: { policy: policy.authenticated() },
    },
    async (req) => {
      const r = await getValidationRule(db, req.params.code);
      if (!r) throw notFound('quy tắc kiểm tra / validation rule', req.params.code);
      return r;
    },
  );
  app.post(
    '/api/validation-rules',
    {
      schema: {
        tags: ['validation rules'],
        summary: 'Create a validation rule: left operator right, both formulas over indicator codes',
        body: zValidationRuleInput,
        response: { 201: zValidationRule },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) =>
      reply.status(201).send(await tx((t) => createValidationRule(t, actorOf(req), req.body))),
  );
  app.patch(
    '/api/validation-rules/:code',
    {
      schema: {
        tags: ['validation rules'],
        summary: 'Change a validation rule (optimistic version)',
        params: zCodeParam,
        body: zValidationRulePatch,
        response: { 200: zValidationRule },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => tx((t) => updateValidationRule(t, actorOf(req), req.params.code, req.body)),
  );
  app.post(
    '/api/validation-rules/:code/archive',
    {
      schema: {
        tags: ['validation rules'],
        summary: 'Archive a validation rule (never deleted)',
        params: zCodeParam,
        body: zReason,
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => {
      await tx((t) => archiveValidationRule(t, actorOf(req), req.params.code, req.body.reason));
      return { archived: true };
    },
  );

  // ---- reporting contacts ----
  app.get(
    '/api/reporting-contacts',
    {
      schema: {
        tags: ['reminders'],
        summary: 'Reporting contacts (cán bộ đầu mối) of the units in your scope',
        querystring: z.object({ org_unit: z.string().max(64).optional() }),
        response: { 200: z.object({ items: z.array(zContact) }) },
      },
      config: { policy: policy.anyUnit('viewer') },
    },
    async (req) => ({ items: await listContacts(db, callerOf(req).roots('viewer'), req.query) }),
  );
  app.post(
    '/api/reporting-contacts',
    {
      schema: {
        tags: ['reminders'],
        summary: 'Name a reporting contact of a unit (reminders are e-mailed to them)',
        body: zContactInput,
        response: { 201: zContact },
      },
      config: {
        policy: policy.onUnits(
          'admin',
          unitsFrom(store, (r) => [(r.body as { org_unit?: string }).org_unit]),
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await tx((t) => addContact(t, callerOf(req), req.body))),
  );
  app.post(
    '/api/reporting-contacts/:id/archive',
    {
      schema: { tags: ['reminders'], summary: 'Archive a reporting contact', params: zId, body: zReason },
      config: { policy: policy.onUnits('admin', contactUnit(store)) },
    },
    async (req) => {
      await tx((t) => archiveContact(t, callerOf(req), req.params.id, req.body.reason));
      return { archived: true };
    },
  );
}
