/**
 * Indicator groups (pillars) over HTTP: the public list (active groups, `include_archived=true` for
 * all, `q` searched without diacritics), and for programme-wide administrators: create, rename
 * (vi/en, optimistic version), reorder (the whole list), archive (refused while indicators belong
 * to the group) and restore.
 */
import { z } from 'zod';
import {
  archiveGroup,
  createGroup,
  getGroup,
  listGroups,
  reorderGroups,
  restoreGroup,
  updateGroup,
  zGroupArchive,
  zGroupInput,
  zGroupOrder,
  zGroupOut,
  zGroupPatch,
  zGroupQuery,
} from '../../../app/catalogue/groups.ts';
import { policy } from '../../policies/index.ts';
import { notFound } from '../../problem.ts';
import type { App, ServerDeps } from '../../server.ts';
import { actorOf } from '../common.ts';

const TAGS = ['catalogue'];
const zCode = z.object({ code: z.string().max(40) });
const zGroupList = z.object({ items: z.array(zGroupOut) });

export default async function groupRoutes(app: App, deps: ServerDeps): Promise<void> {
  const db = deps.store.db;
  app.get(
    '/api/indicator-groups',
    {
      schema: {
        tags: TAGS,
        summary: 'Indicator groups (pillars) in their order, with the number of indicators in each',
        querystring: zGroupQuery,
        response: { 200: zGroupList },
      },
      config: { policy: policy.public() },
    },
    async (req) => ({
      items: await listGroups(db, { ...req.query, published_only: !req.principal }),
    }),
  );
  app.get(
    '/api/indicator-groups/:code',
    {
      schema: { tags: TAGS, summary: 'One indicator group', params: zCode, response: { 200: zGroupOut } },
      config: { policy: policy.public() },
    },
    async (req) => {
      const g = await getGroup(db, req.params.code);
      if (!g) throw notFound('nhóm chỉ tiêu / indicator group', req.params.code);
      return g;
    },
  );
  app.post(
    '/api/indicator-groups',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an indicator group (409 when the code is taken, also by an archived group)',
        body: zGroupInput,
        response: { 201: zGroupOut },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req, reply) =>
      reply.status(201).send(await db.transaction((tx) => createGroup(tx, actorOf(req), req.body))),
  );
  app.patch(
    '/api/indicator-groups/:code',
    {
      schema: {
        tags: TAGS,
        summary: 'Rename an indicator group (Vietnamese and English names; optimistic version)',
        params: zCode,
        body: zGroupPatch,
        response: { 200: zGroupOut },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => db.transaction((tx) => updateGroup(tx, actorOf(req), req.params.code, req.body)),
  );
  app.put(
    '/api/indicator-groups/order',
    {
      schema: {
        tags: TAGS,
        summary: 'Put the active indicator groups in a new order (every active group, each once)',
        body: zGroupOrder,
        response: { 200: zGroupList },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => ({
      items: await db.transaction((tx) => reorderGroups(tx, actorOf(req), req.body.codes)),
    }),
  );
  app.post(
    '/api/indicator-groups/:code/archive',
    {
      schema: {
        tags: TAGS,
        summary:
          'Archive an indicator group (kept, offered to no indicator); 409 group.in_use while indicators belong to it',
        params: zCode,
        body: zGroupArchive,
        response: { 200: zGroupOut },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => db.transaction((tx) => archiveGroup(tx, actorOf(req), req.params.code, req.body.version)),
  );
  app.post(
    '/api/indicator-groups/:code/restore',
    {
      schema: {
        tags: TAGS,
        summary: 'Restore an archived indicator group (placed after the active ones)',
        params: zCode,
        response: { 200: zGroupOut },
      },
      config: { policy: policy.catalogue('admin') },
    },
    async (req) => db.transaction((tx) => restoreGroup(tx, actorOf(req), req.params.code)),
  );
}
