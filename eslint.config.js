// Lint: typescript-eslint's recommended rules for every package, React hooks rules for the console.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import house from './scripts/eslint/house.js';

// Another domain's file other than its index.ts: from a domain's top folder that is ../x/y.ts, from one of its
// sub-folders ../../x/y.ts (a sub-folder's ../y/z.ts is its own domain's).
const crossDomain = (up) => [
  {
    regex: `^${'\\.\\./'.repeat(up)}(?!\\.\\.)[^/]+/(?!index\\.ts$).+`,
    message: 'A domain uses another only through its index.ts.',
  },
];
const OUTBOUND = ['node:http', 'node:https', 'http', 'https', 'node:dns', 'node:dns/promises', 'dns', 'undici'].map(
  (name) => ({
    name,
    message: 'Outbound connections and look-ups go through OutboundGuard (platform/outbound.ts).',
  }),
);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration in config.ts only.',
        },
      ],
    },
  },
  {
    files: ['packages/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Every outbound connection goes through the one address guard (platform/outbound.ts): no direct fetch, HTTP
    // client or DNS look-up in server code. Database clients (pg, mysql2) take the guard's checked address.
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/platform/outbound.ts', '**/*.test.ts', 'packages/server/src/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Outbound requests go through OutboundGuard (platform/outbound.ts).' },
      ],
      'no-restricted-imports': ['error', { paths: OUTBOUND }],
    },
  },
  {
    // platform/ and db/ are below the domains: they never import one (a domain's types and code live in the domain).
    files: ['packages/server/src/platform/**/*.ts', 'packages/server/src/db/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: OUTBOUND,
          patterns: [
            {
              group: ['**/domains/**'],
              message: 'platform/ and db/ never import a domain; move what both need into platform/.',
            },
          ],
        },
      ],
    },
  },
  {
    // the guard itself may use node:http and DNS, and still never imports a domain
    files: ['packages/server/src/platform/outbound.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/domains/**'], message: 'platform/ never imports a domain.' }] },
      ],
    },
  },
  {
    // A domain uses another only through its index.ts (its public surface), tests included; the depth of ../ says
    // whether a path leaves the domain (from a sub-folder, ../x/ is still this domain).
    files: ['packages/server/src/domains/*/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: OUTBOUND, patterns: crossDomain(1) }] },
  },
  {
    files: ['packages/server/src/domains/*/*/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: OUTBOUND, patterns: crossDomain(2) }] },
  },
  {
    files: ['packages/server/src/domains/*/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: crossDomain(1) }] },
  },
  {
    files: ['packages/server/src/domains/*/*/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: crossDomain(2) }] },
  },
  {
    // SQL only in repository files (migrations, tests, test helpers and benches aside).
    files: ['packages/server/src/**/*.ts', 'packages/cli/src/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/migrations/**', '**/*.test.ts', 'packages/server/src/testing/**'],
    plugins: { house },
    rules: { 'house/sql-in-repository': 'error' },
  },
  {
    // Each table has an owner domain (db/table-owners.json): its repositories write it; others read it only if shared.
    files: ['packages/server/src/domains/**/*.repository.ts', 'packages/server/src/platform/**/*.repository.ts'],
    plugins: { house },
    rules: { 'house/table-owner': 'error' },
  },
  {
    // Role checks only in policy files (platform/context.ts defines them; tests aside). The console has none: it
    // shows what the session's abilities say.
    files: ['packages/server/src/**/*.ts', 'packages/cli/src/**/*.ts', 'packages/web/src/**/*.{ts,tsx}'],
    ignores: [
      '**/*.policy.ts',
      'packages/server/src/platform/context.ts',
      '**/*.test.ts',
      'packages/server/src/testing/**',
    ],
    plugins: { house },
    rules: { 'house/role-check-in-policy': 'error' },
  },
  {
    // Where process.env is legitimately read: the config module, test setup and scripts.
    files: [
      'packages/server/src/config.ts',
      '**/*.test.ts',
      'packages/server/src/testing/**',
      'tests/**',
      'scripts/**',
      'bench/**',
      'packages/cli/src/cli.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
