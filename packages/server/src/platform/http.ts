// HTTP plumbing shared by every domain: validators, problem+json errors, route access declarations.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type TEnum, type TProperties, type TObjectOptions, type TSchema, type TSchemaOptions } from 'typebox';
import { AppError, type FieldError } from './errors.ts';
import { findBodyFault } from './text.ts';
import type { Actor, CallerRole, RequestContext } from './context.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Who may call a route: anyone, any signed-in caller, or callers holding one of the roles. */
export type Allow = 'public' | 'authenticated' | readonly CallerRole[];

declare module 'fastify' {
  interface FastifyContextConfig {
    allow?: Allow;
    /** the route also serves a session that has passed the password but not yet the second factor */
    allowPendingMfa?: boolean;
    /** the body's text is judged row by row by the route (a data push), not refused whole for one bad character */
    bodyTextPerRow?: boolean;
    /** the route writes its own access record for a credential's call (the data services): no api.call record */
    auditedByRoute?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    ctx: RequestContext;
  }
}

/** An object schema that refuses unknown fields. */
export function Obj<T extends TProperties>(props: T, opts: TObjectOptions = {}) {
  return Type.Object(props, { additionalProperties: false, ...opts });
}

/** A value or null (a reply's optional fact). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Uuid = Type.String({ format: 'uuid' });
/** A moment, as ISO 8601 in UTC. */
export const DateTime = Type.String({ format: 'date-time' });

/**
 * One of a list of words (an enumeration), keeping the words in the static type. A string `enum` in JSON Schema: a
 * wrong value is refused with the words allowed (取值应为：a、b、c), and the OpenAPI document lists them.
 */
export function OneOf<const V extends string>(values: readonly V[], opts: TSchemaOptions = {}): TEnum<V[]> {
  return Type.Enum([...values], { type: 'string', ...opts }) as TEnum<V[]>;
}

function makeAjv(coerce: boolean) {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** Bodies are validated strictly (no type coercion); query strings and params are coerced from text. */
export function installValidators(app: FastifyInstance) {
  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    return ajv.compile(schema) as never;
  });
}

const zhType: Record<string, string> = {
  string: '文本',
  integer: '整数',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: '空值',
};

export function ajvToFieldErrors(errs: ErrorObject[], part: string | undefined): FieldError[] {
  return errs.map((e) => {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const p = e.params as Record<string, unknown>;
    let zh: string;
    let en: string;
    switch (e.keyword) {
      case 'required':
        field = [field, String(p.missingProperty)].filter(Boolean).join('.');
        zh = '为必填项';
        en = 'is required';
        break;
      case 'additionalProperties':
        field = [field, String(p.additionalProperty)].filter(Boolean).join('.');
        zh = '是不允许的字段';
        en = 'is not an allowed field';
        break;
      case 'type':
        zh = `类型应为${zhType[String(p.type)] ?? String(p.type)}`;
        en = `must be ${String(p.type)}`;
        break;
      case 'maxLength':
        zh = `长度不能超过 ${String(p.limit)} 个字符`;
        en = `must be at most ${String(p.limit)} characters`;
        break;
      case 'minLength':
        zh = Number(p.limit) === 1 ? '不能为空' : `长度至少 ${String(p.limit)} 个字符`;
        en = Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
        break;
      case 'maximum':
      case 'minimum':
        zh = `${e.keyword === 'maximum' ? '不能大于' : '不能小于'} ${String(p.limit)}`;
        en = `must be ${e.keyword === 'maximum' ? '<=' : '>='} ${String(p.limit)}`;
        break;
      case 'enum':
        zh = `取值应为：${(p.allowedValues as unknown[]).join('、')}`;
        en = `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
        break;
      case 'const':
        zh = `取值应为 ${String(p.allowedValue)}`;
        en = `must be ${String(p.allowedValue)}`;
        break;
      case 'format':
        zh = `格式不正确（应为 ${String(p.format)}）`;
        en = `must be a valid ${String(p.format)}`;
        break;
      case 'pattern':
        zh = '格式不正确';
        en = `must match the pattern ${String(p.pattern)}`;
        break;
      case 'maxItems':
      case 'minItems':
        zh = `条目数${e.keyword === 'maxItems' ? '不能超过' : '至少为'} ${String(p.limit)}`;
        en = `must have ${e.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(p.limit)} entries`;
        break;
      case 'anyOf':
      case 'oneOf':
        zh = '取值不符合任何一种允许的形式';
        en = 'matches none of the allowed forms';
        break;
      default:
        zh = `不符合要求（${e.keyword}）`;
        en = e.message ?? `fails ${e.keyword}`;
    }
    if (!field) field = part ?? 'body';
    return { field, message: { zh, en } };
  });
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  message: { zh: string; en: string };
  errors?: FieldError[];
  instance?: string;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  zh: string,
  en: string,
  fields: FieldError[] = [],
  detail: string | null = null,
) {
  const body: Problem = {
    type: `https://gongshu.dev/problems/${code}`,
    title: en,
    status,
    code,
    detail: detail ? `${en} (${detail})` : en,
    message: { zh, en },
    ...(fields.length ? { errors: fields } : {}),
    instance: reply.request.id,
  };
  return reply.status(status).type('application/problem+json; charset=utf-8').send(body);
}

const pgCodes: Record<string, [number, string, string, string]> = {
  '23505': [409, 'db.duplicate', '与已有记录重复', 'duplicates an existing record'],
  '23503': [409, 'db.reference', '引用的记录不存在或仍被引用', 'refers to a missing record, or is still referred to'],
  '22P02': [400, 'db.invalid_value', '取值格式不正确', 'a value has an invalid format'],
  '22001': [400, 'db.value_too_long', '取值过长', 'a value is too long'],
  '22007': [400, 'db.invalid_datetime', '日期时间格式不正确', 'invalid date or time'],
  '22008': [400, 'db.invalid_datetime', '日期时间超出范围', 'date or time out of range'],
  '22003': [400, 'db.number_out_of_range', '数值超出范围', 'a number is out of range'],
  '54000': [400, 'db.value_too_large', '取值过大', 'a value is too large'],
  '22021': [400, 'db.invalid_text', '文本含有无法保存的字符', 'a text contains a character that cannot be stored'],
  '22P05': [400, 'db.invalid_text', '文本含有无法保存的字符', 'a text contains a character that cannot be stored'],
};

/** What the error handler asks to be audited: a refusal for a security reason, or a server error. */
export type Refusal =
  | {
      kind: 'forbidden' | 'refused';
      code: string;
      reason: string | null;
      fields: FieldError[];
      /** what was refused (a policy action), for the auditor */
      detail: string | null;
    }
  | { kind: 'server_error'; code: string; error: string };

export function installErrorHandling(
  app: FastifyInstance,
  audit?: (req: FastifyRequest, r: Refusal) => Promise<void>,
  /** whether this is the first refusal of `key` in the window, counted across app nodes (AppError.auditOnce) */
  firstInWindow?: (key: string, windowMs: number) => Promise<boolean>,
) {
  const due = async (err: AppError) => {
    if (!err.auditOnce || !firstInWindow) return true;
    try {
      return await firstInWindow(err.auditOnce.key, err.auditOnce.windowMs);
    } catch {
      return true; // when in doubt, the trail gets the record
    }
  };
  const record = async (request: FastifyRequest, r: Refusal) => {
    if (!audit || !request.ctx) return;
    try {
      await audit(request, r);
    } catch (e) {
      request.log.error({ err: e }, 'could not write the audit record of a refusal');
    }
  };
  app.setErrorHandler(
    async (err: FastifyError & { validationContext?: string }, request: FastifyRequest, reply: FastifyReply) => {
      if (err instanceof AppError) {
        if ((err.status === 403 || err.securityReason) && (await due(err)))
          await record(request, {
            kind: err.status === 403 ? 'forbidden' : 'refused',
            code: err.code,
            reason: err.securityReason,
            fields: err.fields,
            detail: err.detail,
          });
        if (err.retryAfter !== null) reply.header('retry-after', String(err.retryAfter));
        return sendProblem(reply, err.status, err.code, err.zh, err.en, err.fields, err.detail);
      }
      if (err.validation) {
        const fields = ajvToFieldErrors(err.validation as ErrorObject[], err.validationContext);
        return sendProblem(
          reply,
          400,
          'request.invalid',
          '请求有误：' + fields.map((f) => `${f.field} ${f.message.zh}`).join('；'),
          'Invalid request: ' + fields.map((f) => `${f.field} ${f.message.en}`).join('; '),
          fields,
        );
      }
      const pgCode = (err as unknown as { code?: string }).code;
      if (pgCode && pgCodes[pgCode]) {
        const [status, code, zh, en] = pgCodes[pgCode];
        request.log.info({ err }, 'database refused a value');
        return sendProblem(reply, status, code, zh, en);
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        const code =
          'request.' +
          String(err.code ?? 'bad_request')
            .replace(/^FST_ERR_/, '')
            .toLowerCase();
        const zh =
          err.statusCode === 413
            ? '请求体过大'
            : err.statusCode === 415
              ? '不支持的内容类型，请使用 application/json'
              : err.statusCode === 429
                ? '请求过于频繁，请稍后再试'
                : `请求有误：${err.message}`;
        return sendProblem(reply, err.statusCode, code, zh, err.message);
      }
      request.log.error({ err }, 'unhandled error');
      await record(request, {
        kind: 'server_error',
        code: 'server.error',
        error: String((err as { code?: unknown }).code ?? err.name ?? 'Error').slice(0, 60),
      });
      return sendProblem(
        reply,
        500,
        'server.error',
        '服务器内部错误，请稍后重试或联系运营中心',
        'Internal server error',
      );
    },
  );
}

/** Deepest nesting a JSON body may have (the deepest schema we accept is far shallower). */
export const MAX_BODY_DEPTH = 32;

const faultWords = {
  nul: { zh: '含有不允许的空字符（\\u0000）', en: 'contains a NUL character (\\u0000), which is not allowed' },
  surrogate: {
    zh: '含有不成对的 UTF-16 代理字符（无效的 Unicode）',
    en: 'contains an unpaired UTF-16 surrogate (invalid Unicode)',
  },
  depth: {
    zh: `嵌套层级过深（最多 ${MAX_BODY_DEPTH} 层）`,
    en: `is nested too deeply (at most ${MAX_BODY_DEPTH} levels)`,
  },
} as const;

/**
 * Refuses what no route can use, before validation: a body nested deeper than MAX_BODY_DEPTH, and NUL or an unpaired
 * surrogate in any key or string of the body, the query string or the path. `body: 'depth'` leaves the body's
 * text to a route that judges it row by row (a data push rejects the one bad row, not the batch); `body: 'skip'`
 * is for a streamed body, read and checked by its reader.
 */
export function checkRequestText(req: FastifyRequest, body: 'all' | 'depth' | 'skip'): void {
  const parts: [string, unknown, boolean][] = [
    ['params', req.params, true],
    ['querystring', req.query, true],
  ];
  if (body !== 'skip') parts.push(['body', req.body, body === 'all']);
  for (const [part, value, checkText] of parts) {
    const fault = findBodyFault(value, part === 'body' ? MAX_BODY_DEPTH : 3, checkText);
    if (!fault) continue;
    const field = fault.path || part;
    const w = faultWords[fault.kind];
    throw new AppError(
      400,
      fault.kind === 'depth'
        ? 'request.too_deep'
        : fault.kind === 'nul'
          ? 'request.nul_character'
          : 'request.invalid_unicode',
      `${field} ${w.zh}`,
      `${field} ${w.en}`,
      [{ field, message: { zh: w.zh, en: w.en } }],
    );
  }
}

/** Common response schemas for OpenAPI. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    message: Type.Object({ zh: Type.String(), en: Type.String() }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.Object({ zh: Type.String(), en: Type.String() }) })),
    ),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'Problem' },
);
