// In tests, a reply that carries a property its route's response schema does not declare fails loudly: the
// serializer would drop it without a word, so the client (and the OpenAPI document) would not have it.
import type { FastifyInstance } from 'fastify';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

/** What a schema describes: an object, an array, something else, or anything (no type said). */
function kindOf(s: Schema): 'object' | 'array' | 'other' | 'any' {
  if (s.properties || s.patternProperties || s.type === 'object') return 'object';
  if (s.items || s.type === 'array') return 'array';
  if (s.anyOf || s.oneOf || s.allOf || s.type === undefined) return 'any';
  return 'other';
}

/** Where `value` has properties `schema` does not declare (paths like `batch.rejectedSample[0].extra`). */
export function undeclared(value: unknown, described: unknown, path = ''): string[] {
  const schema = described as Schema | undefined;
  if (!schema || value === null || typeof value !== 'object') return [];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    // among the variants of the value's kind (an object is no null), the one that fits best
    const kind = Array.isArray(value) ? 'array' : 'object';
    const fitting = variants.filter((v) => kindOf(v) === kind || kindOf(v) === 'any');
    const found = fitting.map((v) => undeclared(value, v, path));
    return found.reduce((a, b) => (b.length < a.length ? b : a), found[0] ?? []);
  }
  if (schema.allOf) {
    // an intersection declares what any of its parts declares
    const merged: Schema = { properties: {}, patternProperties: {} };
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties);
      Object.assign(merged.patternProperties!, part.patternProperties);
    }
    return undeclared(value, merged, path);
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => undeclared(v, schema.items, `${path}[${i}]`));
  if (!schema.properties && !schema.patternProperties) return [];
  const patterns = Object.values(schema.patternProperties ?? {});
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    const declared = schema.properties?.[k] ?? patterns[0];
    if (declared) out.push(...undeclared(v, declared, at));
    else if (schema.additionalProperties === undefined || schema.additionalProperties === false) out.push(at);
  }
  return out;
}

export function checkResponses(app: FastifyInstance) {
  app.addHook('preSerialization', async (req, reply, payload) => {
    const responses = (req.routeOptions.schema as { response?: Record<string, Schema> } | undefined)?.response;
    if (!responses || typeof payload !== 'object' || payload === null) return payload;
    const code = String(reply.statusCode);
    const schema = responses[code] ?? responses[`${code[0]}xx`] ?? responses.default;
    if (!schema) return payload;
    const extra = undeclared(payload, schema);
    if (extra.length) {
      const message = `${req.method} ${req.routeOptions.url} answered ${code} with properties its response schema does not declare: ${extra.slice(0, 10).join(', ')}`;
      // the reply becomes a 500 that says nothing of its cause: the cause goes where the test's reader sees it
      process.stderr.write(`response check: ${message}\n`);
      throw new Error(message);
    }
    return payload;
  });
}
