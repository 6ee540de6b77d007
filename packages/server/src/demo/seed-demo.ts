// DEMO DATA generator: loads the demo district (organisations and one user per role) into an empty platform.
import type { Db } from '../db/database.ts';
import type { AuthService } from '../domains/auth/index.ts';
import type { CatalogService } from '../domains/catalog/index.ts';
import { seedDemoCatalog } from './catalog-seed.ts';
import { authPolicy, hashPassword } from '../domains/auth/index.ts';
import { systemContext, type Role } from '../platform/context.ts';
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
      contactName: demoPersonName(orgIds.size + 100),
      contactPhone: `0951-${String(5100000 + orgIds.size * 137).slice(0, 7)}`,
      isDemo: true,
    });
    orgIds.set(o.code, created.id);
  }
  // One argon2id hash per user; a few at a time keeps start-up short on two cores.
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
          password: DEMO_PASSWORD,
          passwordHash: await hashPassword(DEMO_PASSWORD),
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
  for (const l of show) lines.push(`  │ ${l.username.padEnd(20)} ${l.roles.join(',').padEnd(24)} ${l.org}`);
  lines.push(
    `  │ … and <unit>.admin / <unit>.security / <unit>.user for all ${new Set(logins.map((l) => l.org)).size} organisations (see the Users page)`,
  );
  lines.push('  └──────────────────────────────────────────────────────────────────', '');
  return lines.join('\n');
}
