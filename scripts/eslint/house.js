// The house's own lint rules (eslint.config.js turns them on for server and CLI code).
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

export default {
  meta: { name: 'gongshu-house' },
  rules: { 'sql-in-repository': sqlInRepository, 'role-check-in-policy': roleCheckInPolicy },
};
