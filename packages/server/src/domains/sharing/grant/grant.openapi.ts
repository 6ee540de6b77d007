// A grant's own OpenAPI 3.1 document: its three data services with the granted items as typed schemas, so the
// consumer unit's developers can generate a client for exactly what they may reach.
import type { PublishedItem, PublishedResource } from '../../catalog/index.ts';

/** The JSON type an item's values are served as (masked values of any item are strings). */
function schemaOf(i: PublishedItem, masked: boolean): Record<string, unknown> {
  const base = { title: i.name, description: `${i.name}（${i.code}）${masked ? '，按授权脱敏' : ''}` };
  if (masked) return { ...base, type: ['string', 'null'] };
  switch (i.dataType) {
    case 'integer':
      return { ...base, type: ['integer', 'null'] };
    case 'decimal':
      return { ...base, type: ['number', 'null'] };
    case 'boolean':
      return { ...base, type: ['boolean', 'null'] };
    case 'date':
      return { ...base, type: ['string', 'null'], format: 'date' };
    case 'datetime':
      return { ...base, type: ['string', 'null'], format: 'date-time' };
    default:
      return { ...base, type: ['string', 'null'], ...(i.length ? { maxLength: i.length } : {}) };
  }
}

export function grantOpenApi(
  g: { id: string; valid_until: string; methods: string[] },
  r: PublishedResource,
  items: PublishedItem[],
  masked: (code: string) => boolean,
  consumer: string,
) {
  const base = `/api/share/grants/${g.id}`;
  const keys = items.filter((i) => i.primaryKey);
  const record = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(items.map((i) => [i.code, schemaOf(i, masked(i.code))])),
  };
  const problem = { $ref: '#/components/responses/Problem' };
  const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 429: problem };
  return {
    openapi: '3.1.0',
    info: {
      title: `${r.name}（共享授权）`,
      version: `v${r.version}`,
      description: `公数 Gongshu：${consumer}使用“${r.name}”的共享授权，有效期至 ${g.valid_until}。只含授权的信息项；每次调用都记入审计日志。`,
    },
    components: {
      securitySchemes: { credential: { type: 'http', scheme: 'bearer', description: 'API credential (gsk_…)' } },
      schemas: { Record: record },
      responses: {
        Problem: {
          description: 'problem+json: the reason in zh and en',
          content: { 'application/problem+json': { schema: { type: 'object' } } },
        },
      },
    },
    security: [{ credential: [] }],
    // the services the grant's methods give: the API's four, and the file export
    paths: Object.fromEntries(
      Object.entries({
        [`${base}/rows`]: {
          get: {
            operationId: 'rows',
            summary: '按条件查询（分页）',
            parameters: [
              { name: 'where', in: 'query', schema: { type: 'string' }, description: "如 level = 'A类'" },
              { name: 'fields', in: 'query', schema: { type: 'string' }, description: '信息项代码，逗号分隔' },
              { name: 'sort', in: 'query', schema: { type: 'string', enum: items.map((i) => i.code) } },
              { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
              { name: 'cursor', in: 'query', schema: { type: 'string' } },
              { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            ],
            responses: {
              200: {
                description: 'a page of rows',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        rows: { type: 'array', items: { $ref: '#/components/schemas/Record' } },
                        next: { type: ['string', 'null'] },
                      },
                    },
                  },
                },
              },
              ...errors,
            },
          },
        },
        [`${base}/lookup`]: {
          get: {
            operationId: 'lookup',
            summary: '按主键查询一条记录',
            parameters: keys.map((k) => ({ name: k.code, in: 'query', required: true, schema: { type: 'string' } })),
            responses: {
              200: {
                description: 'the record',
                content: {
                  'application/json': {
                    schema: { type: 'object', properties: { record: { $ref: '#/components/schemas/Record' } } },
                  },
                },
              },
              ...errors,
            },
          },
        },
        [`${base}/changes`]: {
          get: {
            operationId: 'changes',
            summary: '变更同步：游标之后新增、修改的记录和删除的主键',
            parameters: [
              {
                name: 'cursor',
                in: 'query',
                schema: { type: 'string' },
                description: '上次返回的 next；不填则从头开始',
              },
              { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            ],
            responses: {
              200: {
                description: 'changes in the order they were loaded; keep `next` and ask again with it',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        changes: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              op: { type: 'string', enum: ['upsert', 'delete'] },
                              record: { $ref: '#/components/schemas/Record' },
                            },
                          },
                        },
                        next: { type: 'string' },
                        more: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
              409: problem,
              ...errors,
            },
          },
        },
        [`${base}/export`]: {
          get: {
            operationId: 'export',
            summary: '导出文件（CSV 或 Excel），带可追溯的数字指纹',
            parameters: [
              { name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['csv', 'xlsx'] } },
              { name: 'encoding', in: 'query', schema: { type: 'string', enum: ['utf-8', 'gb18030'] } },
              { name: 'where', in: 'query', schema: { type: 'string' } },
              { name: 'fields', in: 'query', schema: { type: 'string' } },
            ],
            responses: {
              200: {
                description: 'the file, streamed',
                content: {
                  'text/csv': { schema: { type: 'string' } },
                  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                    schema: { type: 'string', contentEncoding: 'binary' },
                  },
                },
              },
              ...errors,
            },
          },
        },
        [`${base}/verify`]: {
          post: {
            operationId: 'verify',
            summary: '核验：比对提交的值，只返回一致或不一致',
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['values'],
                    properties: {
                      values: {
                        type: 'object',
                        properties: Object.fromEntries(items.map((i) => [i.code, { type: 'string', title: i.name }])),
                        additionalProperties: false,
                      },
                    },
                  },
                },
              },
            },
            responses: {
              200: {
                description: 'match or no_match per item',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        result: {
                          type: 'object',
                          additionalProperties: { type: 'string', enum: ['match', 'no_match'] },
                        },
                      },
                    },
                  },
                },
              },
              ...errors,
            },
          },
        },
      }).filter(([path]) => (path.endsWith('/export') ? g.methods.includes('file') : g.methods.includes('api'))),
    ),
  };
}
