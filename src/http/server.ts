/**
 * The HTTP server: Fastify with Zod schemas, an OpenAPI 3.1 document at /api/openapi.json, RFC 9457
 * errors, security headers, and one policy per route (a route without a policy cannot be registered).
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { ChisoError } from '../core/errors.ts';
import { findUnstorableText, unstorableTextError } from '../core/text.ts';
import type { Store } from '../store/db.ts';
import { installAuthHooks } from './auth.ts';
import { EARLY_CLICKS_CSP } from './early-clicks.ts';
import { authorize, type Principal, unauthenticated } from './policies/index.ts';
import { sendProblem } from './problem.ts';
import { registerRoutes } from './routes/index.ts';

/** Scripts from the server's own origin only, and the one inline script of a rendered page (early-clicks.ts). */
const CSP = `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' ${EARLY_CLICKS_CSP}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`;

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ServerDeps {
  store: Store;
  config: Config;
  /** Who is calling: from a session cookie or an API token. Absent means anonymous. */
  authenticate?: (req: FastifyRequest) => Promise<Principal | null>;
  logger?: boolean | object;
}

export const API_VERSION = '0.1.0';

export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && /^[\w.-]{1,64}$/.test(h) ? h : randomUUID();
    },
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: deps.config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors the framework raises before routing (a broken %-escape in the URL…) are problems too.
    frameworkErrors: (err, req, reply) => {
      sendProblem(reply, req, err);
    },
  }).withTypeProvider<ZodTypeProvider>() as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', null);

  // A route without a policy cannot exist.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/openapi') || route.method === 'HEAD') return;
    if (!route.config?.policy) {
      throw new Error(`route ${String(route.method)} ${route.url} has no policy (config.policy)`);
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'chiso API',
        version: API_VERSION,
        description:
          'chiso (chỉ số): indicators, targets, reporting rounds, roll-ups, progress and composite index. ' +
          'Errors are RFC 9457 problem details with messages in Vietnamese and English.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token' },
          session: { type: 'apiKey', in: 'cookie', name: 'chiso_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // No text chiso stores or queries may hold a NUL character (PostgreSQL refuses it): refuse it in
    // the URL at once, before a streamed download has sent its headers.
    if (/%00/.test(req.url)) {
      throw new ChisoError({
        code: 'request.nul_character',
        status: 400,
        vi: 'Địa chỉ yêu cầu chứa ký tự NUL (%00).',
        en: 'The request URL contains a NUL character (%00).',
      });
    }
    req.principal = deps.authenticate ? await deps.authenticate(req) : null;
  });
  installAuthHooks(app); // CSRF for cookie sessions; the live route table

  // Who the caller is and programme-wide rights are decided before the body is even validated, so an
  // anonymous or unprivileged caller learns nothing from validation errors; unit scopes named in the
  // body are decided after validation.
  app.addHook('preValidation', async (req) => {
    const p = req.routeOptions.config?.policy;
    if (!p || p.kind === 'public') return;
    if (!req.principal) throw unauthenticated();
    if (p.kind === 'role' && typeof p.scope !== 'function') await authorize(p, req);
  });
  // A JSON body may carry escapes PostgreSQL cannot store (\u0000, a lone surrogate such as \ud800):
  // refused with the field's path before validation, instead of failing deep inside a write.
  app.addHook('preValidation', async (req) => {
    // Only a parsed JSON document: raw-body routes (files, streams) get their own checks.
    if (!/json/i.test(String(req.headers['content-type'] ?? ''))) return;
    const b = req.body;
    if (b === null || typeof b !== 'object') return;
    const proto = Object.getPrototypeOf(b);
    if (!Array.isArray(b) && proto !== Object.prototype && proto !== null) return;
    const bad = findUnstorableText(b);
    if (bad) throw unstorableTextError(bad);
  });
  app.addHook('preHandler', async (req) => {
    const p = req.routeOptions.config?.policy;
    if (p?.kind === 'role' && typeof p.scope === 'function') await authorize(p, req);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', CSP);
    if (req.protocol === 'https')
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });

  app.setErrorHandler((err, req, reply) => sendProblem(reply, req, err));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    return sendProblem(
      reply,
      req,
      new ChisoError({
        code: 'not_found',
        status: 404,
        vi: `Không có địa chỉ ${req.method} ${path}.`,
        en: `There is no ${req.method} ${path}.`,
      }),
    );
  });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { policy: { kind: 'public' } } }, async () =>
    app.swagger(),
  );

  await registerRoutes(app, deps);
  return app;
}
