/**
 * RFC 9457 problem details. Every error leaves the server as application/problem+json with a
 * stable `code`, the message in Vietnamese and English (`detail` in the caller's language), and
 * where it applies the place of the fault and the list of faults.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ChisoError, type ChisoErrorInit, isChisoError } from '../core/errors.ts';
import { sqlState } from '../store/db.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  vi: string;
  en: string;
  errors?: ChisoErrorInit[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function prefersEnglish(req: FastifyRequest): boolean {
  const q = req.query as Record<string, unknown> | undefined;
  if (q && typeof q.lang === 'string') return q.lang === 'en';
  const al = req.headers['accept-language'];
  return typeof al === 'string' && /^\s*en\b/i.test(al);
}

function fromValidation(err: FastifyError): ChisoError {
  const issues: ChisoErrorInit[] = [];
  if (hasZodFastifySchemaValidationErrors(err)) {
    for (const v of err.validation) {
      const field = [
        err.validationContext,
        ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : []),
      ]
        .filter(Boolean)
        .join('.');
      issues.push({
        code: 'request.invalid',
        field,
        vi: `Trường '${field}' không hợp lệ: ${v.message}`,
        en: `Field '${field}' is invalid: ${v.message}`,
      });
    }
  }
  const first = issues[0];
  return new ChisoError({
    code: 'request.invalid',
    status: 400,
    vi: first ? first.vi : `Yêu cầu không hợp lệ: ${err.message}`,
    en: first ? first.en : `Invalid request: ${err.message}`,
    ...(first?.field ? { field: first.field } : {}),
    errors: issues,
  });
}

/** Maps any thrown value to a ChisoError with an HTTP status. */
export function toChisoError(err: unknown): ChisoError {
  if (isChisoError(err)) return err;
  const fe = err as FastifyError;
  if (fe && (fe.validation || hasZodFastifySchemaValidationErrors(fe))) return fromValidation(fe);
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413 || fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ChisoError({
      code: 'request.too_large',
      status: 413,
      vi: 'Nội dung gửi lên quá lớn.',
      en: 'The request body is too large.',
    });
  }
  if (status === 415) {
    return new ChisoError({
      code: 'request.media_type',
      status: 415,
      vi: 'Kiểu nội dung không được hỗ trợ.',
      en: 'Unsupported content type.',
    });
  }
  if (status === 429) {
    return new ChisoError({
      code: 'request.rate_limited',
      status: 429,
      vi: 'Quá nhiều yêu cầu, vui lòng thử lại sau.',
      en: 'Too many requests; try again later.',
    });
  }
  if (status >= 400 && status < 500) {
    return new ChisoError({
      code: 'request.invalid',
      status,
      vi: `Yêu cầu không hợp lệ: ${fe.message}`,
      en: `Invalid request: ${fe.message}`,
    });
  }
  // Database constraint violations that slipped past validation are the caller's fault.
  const pgCode = sqlState(err);
  if (pgCode === '23505') {
    return new ChisoError({
      code: 'conflict.duplicate',
      status: 409,
      vi: 'Bản ghi đã tồn tại.',
      en: 'The record already exists.',
    });
  }
  // SQLSTATE class 22, data exceptions: a number beyond its column's range (2^31 for an integer), text
  // not of the column's type, a NUL character (22021)… Validation should have caught it; either way
  // the request, not the server, is at fault.
  if (pgCode?.startsWith('22')) {
    return new ChisoError({
      code: 'request.out_of_range',
      status: 400,
      vi: 'Giá trị vượt quá giới hạn cho phép hoặc sai kiểu dữ liệu.',
      en: 'A value is out of the allowed range or of the wrong type.',
    });
  }
  // Two transactions collided (serialization failure, deadlock): the loser may simply retry.
  if (pgCode === '40001' || pgCode === '40P01') {
    return new ChisoError({
      code: 'conflict.retry',
      status: 409,
      vi: 'Yêu cầu xung đột với một thay đổi đồng thời. Hãy thử lại.',
      en: 'The request collided with a concurrent change. Try again.',
    });
  }
  return new ChisoError({
    code: 'internal',
    status: 500,
    vi: 'Lỗi hệ thống. Sự cố đã được ghi nhận.',
    en: 'Internal error. The incident has been logged.',
  });
}

export function problemOf(e: ChisoError, req: FastifyRequest): Problem {
  const en = prefersEnglish(req);
  const j = e.toJSON();
  return {
    type: `https://chiso.vn/problems/${e.code}`,
    title: TITLES[e.status] ?? 'Error',
    status: e.status,
    detail: en ? e.en : e.vi,
    instance: req.url,
    ...j,
    code: e.code,
    vi: e.vi,
    en: e.en,
  };
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, err: unknown): FastifyReply {
  const e = toChisoError(err);
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  return reply.status(e.status).type('application/problem+json; charset=utf-8').send(problemOf(e, req));
}

export const notFound = (what: string, key: string): ChisoError =>
  new ChisoError({
    code: 'not_found',
    status: 404,
    vi: `Không tìm thấy ${what} '${key}'.`,
    en: `No ${what} '${key}' was found.`,
  });
