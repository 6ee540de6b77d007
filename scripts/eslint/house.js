// The house's own lint rules (eslint.config.js turns them on for server and CLI code).
import { readFileSync } from 'node:fs';
const BUILDERS = new Set([
  'selectFrom',
  'selectNoFrom',
  'insertInto',
  'replaceInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'executeQuery',
  'createTable',
  'alterTable',
  'dropTable',
  'createIndex',
  'createSchema',
]);
const RAW = new Set(['sql', 'CompiledQuery']);

/** SQL is written in repository files (and migrations, tests, benches), never in services, routes or jobs. */
const sqlInRepository = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL builders only in *.repository.ts, migrations, tests and benches' },
    messages: {
      builder:
        "SQL goes in a *.repository.ts file: move this {{what}} into the domain's repository and call it from there.",
    },
    schema: [],
  },
  create(context) {
    return {
      ImportDeclaration(node) {
        if (node.source.value !== 'kysely' || node.importKind === 'type') return;
        for (const s of node.specifiers)
          if (s.type === 'ImportSpecifier' && s.importKind !== 'type' && RAW.has(s.imported.name))
            context.report({ node: s, messageId: 'builder', data: { what: `${s.imported.name} import` } });
      },
      CallExpression(node) {
        const c = node.callee;
        if (
          c.type === 'MemberExpression' &&
          !c.computed &&
          c.property.type === 'Identifier' &&
          BUILDERS.has(c.property.name)
        )
          context.report({ node: c.property, messageId: 'builder', data: { what: `${c.property.name}() call` } });
      },
    };
  },
};

const ROLE_CHECKS = new Set(['hasRole', 'isCenter']);
const ROLE_LOOKUPS = new Set(['includes', 'some', 'every', 'indexOf', 'find']);

/** Who may do what is decided in *.policy.ts files: a service or route asks the policy, never the roles. */
const roleCheckInPolicy = {
  meta: {
    type: 'problem',
    docs: { description: 'role checks (hasRole, isCenter) only in *.policy.ts' },
    messages: {
      roleCheck: "Role checks go in the domain's *.policy.ts: name the action there and call can()/authorize() here.",
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const c = node.callee;
        if (c.type === 'Identifier' && ROLE_CHECKS.has(c.name)) context.report({ node: c, messageId: 'roleCheck' });
        // someone.roles.includes('center_admin') and the like: a role check written out by hand
        if (c.type !== 'MemberExpression' || c.computed || c.property.type !== 'Identifier') return;
        if (!ROLE_LOOKUPS.has(c.property.name)) return;
        // (x.roles as Role[]).includes(…) and x.roles!.some(…) are the same check
        let target = c.object;
        while (
          target.type === 'TSAsExpression' ||
          target.type === 'TSNonNullExpression' ||
          target.type === 'TSSatisfiesExpression'
        )
          target = target.expression;
        if (
          target.type === 'MemberExpression' &&
          !target.computed &&
          target.property.type === 'Identifier' &&
          target.property.name === 'roles'
        )
          context.report({ node: c.property, messageId: 'roleCheck' });
      },
    };
  },
};

const TABLES = JSON.parse(
  readFileSync(new URL('../../packages/server/src/db/table-owners.json', import.meta.url), 'utf8'),
);
const READS = new Set(['selectFrom', 'innerJoin', 'leftJoin', 'rightJoin', 'fullJoin', 'crossJoin']);
const WRITES = new Set(['insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto']);
// SQL words that can follow FROM / JOIN / INTO / UPDATE without naming a table
const NOT_TABLES = new Set(['set', 'select', 'lateral', 'only', 'nothing', 'unnest', 'values', 'the']);

/** The domain a repository file speaks for: domains/<d>/… → d; platform/ → platform; else none (not checked). */
function domainOf(filename) {
  const f = filename.replace(/\\/g, '/');
  const m = /packages\/server\/src\/domains\/([^/]+)\//.exec(f);
  if (m) return m[1];
  if (/packages\/server\/src\/(platform|db)\//.test(f)) return 'platform';
  return null;
}

/** The names a file's SQL gives its common table expressions (WITH x AS (…)): not tables. */
function cteNames(text) {
  return [
    ...text.matchAll(/(?:\bWITH(?:\s+RECURSIVE)?|,)\s+([a-z_][a-z0-9_]*)\s+AS\s*(?:(?:NOT\s+)?MATERIALIZED\s*)?\(/gi),
  ].map((m) => m[1].toLowerCase());
}

/** Table names a piece of SQL names after FROM, JOIN, INTO or UPDATE. */
function tablesInSql(text, ctes) {
  const found = [];
  for (const m of text.matchAll(/\b(FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(\s*\()?/gi)) {
    const name = m[2].toLowerCase();
    // a function call, a keyword, a CTE, or the system catalogs
    if (m[3] || NOT_TABLES.has(name) || ctes.has(name) || /^(pg_|information_schema\.)/.test(name)) continue;
    found.push({ name, write: /^(INTO|UPDATE)$/i.test(m[1]) && !/DO\s+$/i.test(text.slice(0, m.index)) });
  }
  return found;
}

/**
 * A domain's repositories write only its own tables and read another domain's only where that domain shares them
 * (db/table-owners.json): the rest of another domain's data comes through its index.ts. Every table is declared.
 */
const tableOwner = {
  meta: {
    type: 'problem',
    docs: { description: "a repository writes only its domain's tables and reads others' only where shared" },
    messages: {
      undeclared: 'Table {{table}} has no owner: declare it in packages/server/src/db/table-owners.json.',
      write:
        "Table {{table}} belongs to {{owner}}: only {{owner}}'s repositories change it; call {{owner}}'s index.ts.",
      read: "Table {{table}} belongs to {{owner}}: read it through {{owner}}'s index.ts (or have {{owner}} share it in db/table-owners.json).",
    },
    schema: [],
  },
  create(context) {
    const domain = domainOf(context.filename ?? context.getFilename());
    if (!domain) return {};
    const ctes = new Set(cteNames(context.sourceCode.getText()));
    const check = (node, table, write) => {
      const name = table
        .split(/\s+as\s+/i)[0]
        .trim()
        .toLowerCase();
      if (name.startsWith('data.')) return; // the per-resource data tables are ingest's, reached through ident()
      const owner = TABLES.owners[name];
      if (!owner) return context.report({ node, messageId: 'undeclared', data: { table: name } });
      if (owner === '*' || owner === domain) return;
      if (write) return context.report({ node, messageId: 'write', data: { table: name, owner } });
      if (!TABLES.sharedReads[name]) context.report({ node, messageId: 'read', data: { table: name, owner } });
    };
    return {
      CallExpression(node) {
        const c = node.callee;
        if (c.type !== 'MemberExpression' || c.computed || c.property.type !== 'Identifier') return;
        const method = c.property.name;
        if (!READS.has(method) && !WRITES.has(method)) return;
        let arg = node.arguments[0];
        while (arg && (arg.type === 'TSAsExpression' || arg.type === 'TSSatisfiesExpression')) arg = arg.expression;
        const names =
          arg?.type === 'Literal' && typeof arg.value === 'string'
            ? [arg.value]
            : arg?.type === 'ArrayExpression'
              ? arg.elements.filter((e) => e?.type === 'Literal' && typeof e.value === 'string').map((e) => e.value)
              : [];
        for (const n of names) check(arg, n, WRITES.has(method));
      },
      TaggedTemplateExpression(node) {
        if (node.tag.type !== 'Identifier' || node.tag.name !== 'sql') return;
        // each literal part alone: an interpolated name (ident(), a nested sql``) is not a literal table
        for (const q of node.quasi.quasis)
          for (const t of tablesInSql(q.value.cooked ?? q.value.raw, ctes)) check(q, t.name, t.write);
      },
    };
  },
};

export default {
  meta: { name: 'gongshu-house' },
  rules: {
    'sql-in-repository': sqlInRepository,
    'role-check-in-policy': roleCheckInPolicy,
    'table-owner': tableOwner,
  },
};
