// DEMO DATA generator: loads the demo district (organisations and one user per role) into an empty platform.
import type { Db } from '../db/database.ts';
import type { AuthService } from '../domains/auth/index.ts';
import type { CatalogService } from '../domains/catalog/index.ts';
import { seedDemoCatalog } from './catalog-seed.ts';
import { authPolicy, hashPassword } from '../domains/auth/index.ts';
import { ROLE_WORDS, systemContext, type Role } from '../platform/context.ts';
import {
  DEMO_ORGS,
  DEMO_PASSWORD,
  DEMO_REGION_CODE,
  DEMO_TOTP_SECRET,
  demoPersonName,
  demoUsersFor,
} from './district.ts';
import { demoUscc } from './org-codes.ts';
import * as repo from './demo.repository.ts';

export interface DemoLogin {
  username: string;
  roles: string[];
  org: string;
  totp: boolean;
}

export async function isDemoLoaded(db: Db): Promise<boolean> {
  return repo.metaIsSet(db, 'demo_loaded_at');
}

export async function seedDemo(
  db: Db,
  auth: AuthService,
  catalog: CatalogService,
): Promise<{ loaded: boolean; logins: DemoLogin[]; resources: number }> {
  if (await isDemoLoaded(db)) return { loaded: false, logins: await demoLogins(db), resources: 0 };
  const ctx = systemContext('seed-demo');
  const orgIds = new Map<string, string>();
  // one set of people: each unit's contact is its first user (its data administrator), with the unit's phone
  const firstUser = new Map<string, number>();
  let k = 0;
  for (const o of DEMO_ORGS) {
    firstUser.set(o.code, k);
    k += demoUsersFor(o.kind).length;
  }
  const phoneOf = (i: number) => `0951-${String(5100000 + i * 137).slice(0, 7)}`;
  const center = DEMO_ORGS[0]!;
  for (const o of DEMO_ORGS) {
    const existing = await auth.findOrgByCode(o.code);
    if (existing) {
      orgIds.set(o.code, existing.id);
      continue;
    }
    const created = await auth.createOrgAsSystem(ctx, {
      code: o.code,
      name: o.name,
      kind: o.kind,
      uscc: demoUscc(o.name, DEMO_REGION_CODE, o.kind === 'institution'),
      parentId: o.kind === 'center' ? null : (orgIds.get(center.code) ?? null),
      contactName: demoPersonName(firstUser.get(o.code)!),
      contactPhone: phoneOf(orgIds.size),
      isDemo: true,
    });
    orgIds.set(o.code, created.id);
  }
  // Every demo user has the same published password: one argon2id hash serves them all (a hundred hashes cost
  // seconds on two cores, at every first start and in every test that loads the demo).
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const jobs: (() => Promise<void>)[] = [];
  let n = 0;
  for (const o of DEMO_ORGS) {
    for (const u of demoUsersFor(o.kind)) {
      const i = n++;
      const username = `${o.code}.${u.suffix}`;
      jobs.push(async () => {
        if (await repo.userExists(db, username)) return;
        await auth.createUserAsSystem(ctx, {
          orgId: orgIds.get(o.code)!,
          username,
          displayName: `${demoPersonName(i)}（${u.title}）`,
          // the unit's contact (its first user) answers the unit's phone
          ...(i === firstUser.get(o.code) ? { phone: phoneOf(DEMO_ORGS.indexOf(o)) } : {}),
          password: DEMO_PASSWORD,
          passwordHash,
          roles: u.roles as Role[],
          isDemo: true,
          ...(authPolicy.totpRequired(u.roles) ? { totpSecret: DEMO_TOTP_SECRET } : {}),
        });
      });
    }
  }
  for (let i = 0; i < jobs.length; i += 4) await Promise.all(jobs.slice(i, i + 4).map((j) => j()));
  const resources = (await repo.anyDemoResource(db)) ? 0 : await seedDemoCatalog(db, catalog);
  await repo.setMetaOnce(db, 'demo_loaded_at', new Date().toISOString());
  return { loaded: true, logins: await demoLogins(db), resources };
}

export async function demoLogins(db: Db): Promise<DemoLogin[]> {
  const rows = await repo.listDemoUsers(db);
  return rows.map((r) => ({ username: r.username, roles: r.roles, org: r.name, totp: r.totp_enabled }));
}

export function formatDemoLogins(logins: DemoLogin[]): string {
  const lines = [
    '',
    '  ┌─ DEMO DISTRICT 演示数据 ────────────────────────────────────────────',
    `  │ Every demo user's password 演示密码: ${DEMO_PASSWORD}`,
    `  │ center.admin also needs a TOTP code 动态口令 from secret ${DEMO_TOTP_SECRET}`,
    '  │ (add it to any authenticator app; demo only, never use it in production)',
    '  │',
  ];
  const show = logins.filter((l) => /^(center|cac|mcbj|fgj|gaj|cdc)\./.test(l.username));
  // roles in words (the console's names), padded by display width: a CJK character takes two columns
  const width = (x: string) => [...x].reduce((n, ch) => n + (/[\u2e80-\uffef]/.test(ch) ? 2 : 1), 0);
  const pad = (x: string, n: number) => x + ' '.repeat(Math.max(1, n - width(x)));
  for (const l of show) {
    const roles = l.roles.map((r) => ROLE_WORDS[r as Role]?.[0] ?? r).join('、');
    lines.push(`  │ ${l.username.padEnd(20)} ${pad(roles, 18)} ${l.org}`);
  }
  lines.push(
    `  │ … and <unit>.admin / <unit>.security / <unit>.user for all ${new Set(logins.map((l) => l.org)).size} organisations (see the Users page)`,
  );
  lines.push('  └──────────────────────────────────────────────────────────────────', '');
  return lines.join('\n');
}
