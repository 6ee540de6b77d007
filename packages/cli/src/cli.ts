// gongshu <command>: start, migrate, seed-demo, user create, audit verify, calendar add, ingest, mask, trace.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp, loadConfig, ConfigError, startServer, openRuntime, type Config } from '@gongshu/server';
import { loadDemoCatalog, loadDemoWorkflows } from '@gongshu/server/demo/load-demo.ts';
import { verifyChain } from '@gongshu/server/domains/audit/index.ts';
import { authPolicy, centerOrgs } from '@gongshu/server/domains/auth/index.ts';
import { isValidDate } from '@gongshu/server/domains/calendar/index.ts';
import { migrateToLatest } from '@gongshu/server/db/migrator.ts';
import { systemContext, ROLES, type Role } from '@gongshu/server/platform/context.ts';
import { AppError } from '@gongshu/server/platform/errors.ts';
import {
  csvProfileOf,
  maskCsv,
  MaskingService,
  ProfileUnavailable,
  RULES,
  scopeKeys,
  type CsvProfile,
} from '@gongshu/server/domains/masking/index.ts';
import { maskingMaster } from '@gongshu/server/app.ts';
import { TraceService } from '@gongshu/server/domains/sharing/index.ts';
import { loadKeys } from '@gongshu/server/platform/secrets.ts';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { DELIMITERS, openCsv, openXlsx, type Encoding } from '@gongshu/server/domains/ingest/index.ts';

const USAGE = `gongshu — Gongshu 公数 public data platform

Usage:
  gongshu start                       start the server (PORT, HOST, DATABASE_URL, GONGSHU_DATA_DIR …)
  gongshu migrate                     bring the database schema up to date
  gongshu seed-demo                   load the demo district (演示数据) into this database
  gongshu user create --username NAME --name DISPLAY_NAME --role ROLE [--role ROLE …]
                      [--org CODE] [--org-name NAME] [--email EMAIL] [--password-stdin]
                                      create a user; with no organisation yet, a Center role
                                      creates the Center (--org-name, default 运营中心) first.
                                      Without --password-stdin a password is generated and printed once.
  gongshu audit verify                walk the audit hash chain; exit 1 naming every bad record
  gongshu calendar add YYYY-MM-DD N   the date N working days after YYYY-MM-DD
  gongshu mask --profile P [--scope S] [--out FILE] [--pass-unknown] FILE.csv
                                      mask a CSV file offline (streaming). P is a JSON profile file
                                      ({"columns": {"header": "mask" | {"rule": "hash", "kind": "id_card"}}})
                                      or resource:CODE[:PROFILE] for a catalog resource's profile.
                                      Columns the profile does not name are masked whole unless --pass-unknown.

  gongshu ingest --resource CODE --as USERNAME [--mode upsert|append|replace]
                 [--encoding auto|utf-8|gbk|gb18030] [--delimiter auto|comma|tab|semicolon|pipe] FILE
                                      load a CSV or XLSX file into a resource's data table as one batch
                                      (validated; rejected rows listed with reasons, and downloadable from
                                      the console). USERNAME is the unit's data officer on record.
                                      Exit 0: all rows loaded; 3: some rows rejected, the rest loaded;
                                      4: every row rejected, nothing loaded; 1: failed, nothing changed.

  gongshu trace [--json] FILE         name the export a leaked file (CSV in any encoding, or XLSX) came from:
                                      grant, consumer unit, system, user and time, with the evidence. An export
                                      is named only when a wrong one could not agree as well (chance ≤ 1e-9).
                                      Exit 0: named; 3: no export can be named; 1: the file cannot be read.

All commands use DATABASE_URL when set, else the embedded database in GONGSHU_DATA_DIR (./data).
Roles: ${ROLES.join(', ')}`;

class UsageError extends Error {}

function fail(msg: string): never {
  throw new UsageError(msg);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig();
  switch (cmd) {
    case 'start':
      noArgs(rest, 'start');
      return start(config);
    case 'migrate': {
      noArgs(rest, 'migrate');
      const rt = await openRuntime(config, { migrate: false });
      try {
        const r = await migrateToLatest(rt.database.db);
        await rt.calendar.ensurePolicy();
        await rt.catalog.codes.ensureCodes();
        console.log(r.applied.length ? `Applied: ${r.applied.join(', ')}` : 'The database is up to date.');
      } finally {
        await rt.close();
      }
      return 0;
    }
    case 'seed-demo': {
      noArgs(rest, 'seed-demo');
      const rt = await openRuntime(config);
      try {
        const db = rt.database.db;
        const first = await loadDemoCatalog(db, rt);
        // the app's services, as the server has them: data tables for what the catalog approved, then the workflows
        const app = await buildApp(config, {
          db,
          dbKind: rt.database.kind,
          keys: rt.keys,
          copyIn: rt.database.copyIn,
          copyOut: rt.database.copyOut,
          bulkSession: rt.database.bulkSession,
          commitDb: rt.database.commitDb,
          jobBackend: rt.database.jobBackend,
        });
        try {
          await app.services.ingest.ensureAllTables();
          const rest = await loadDemoWorkflows(db, app.services, { dataDir: config.dataDir });
          const lines = [...first, ...rest];
          console.log(lines.length ? lines.join('\n') : 'The demo district is already loaded.');
        } finally {
          await app.close();
        }
      } finally {
        await rt.close();
      }
      return 0;
    }
    case 'user':
      if (rest[0] !== 'create') fail(`unknown command "user ${rest[0] ?? ''}"; did you mean "user create"?`);
      return userCreate(config, rest.slice(1));
    case 'audit': {
      if (rest[0] !== 'verify' || rest.length > 1) fail('usage: gongshu audit verify');
      const rt = await openRuntime(config);
      try {
        const r = await verifyChain(rt.database.db);
        if (r.ok) {
          console.log(`Audit chain intact: ${r.count} records.${r.head ? ` Head: #${r.head.seq} ${r.head.hash}` : ''}`);
          console.log(
            'Record the head hash outside the platform (e.g. in a stamped report) to detect removal of the newest records.',
          );
          return 0;
        }
        const first = r.problems[0]!;
        console.error(`AUDIT CHAIN BROKEN at record #${first.seq} (${first.kind}): ${first.detail}`);
        console.error(`${r.problemCount} problem(s) in ${r.count} records (${r.intact} verified):`);
        for (const p of r.problems) console.error(`  #${p.seq} ${p.kind}: ${p.detail}`);
        if (r.problemCount > r.problems.length) console.error(`  … and ${r.problemCount - r.problems.length} more`);
        return 1;
      } finally {
        await rt.close();
      }
    }
    case 'calendar': {
      if (rest[0] !== 'add' || rest.length !== 3) fail('usage: gongshu calendar add YYYY-MM-DD N');
      const [, date, n] = rest as [string, string, string];
      if (!isValidDate(date)) fail(`"${date}" is not a date in the form YYYY-MM-DD`);
      if (!/^-?\d{1,4}$/.test(n)) fail(`"${n}" is not a whole number of working days`);
      const rt = await openRuntime(config);
      try {
        console.log(await rt.calendar.addWorkingDays(date, Number(n)));
      } finally {
        await rt.close();
      }
      return 0;
    }
    case 'ingest':
      return ingestCommand(config, rest);
    case 'mask':
      return maskCommand(config, rest);
    case 'trace':
      return traceCommand(config, rest);
    default:
      fail(`unknown command "${cmd}"`);
  }
}

function noArgs(rest: string[], cmd: string) {
  if (rest.length) fail(`"${cmd}" takes no arguments, got: ${rest.join(' ')}`);
}

async function start(config: Config): Promise<number> {
  // From a source checkout, build the console on first start so `npm start` is all a newcomer runs.
  const webDir = path.resolve(import.meta.dirname, '../../web');
  if (
    !config.webDist &&
    existsSync(path.join(webDir, 'package.json')) &&
    !existsSync(path.join(webDir, 'dist/index.html'))
  ) {
    console.log('Building the console (first start only)…');
    const r = spawnSync('npm', ['run', 'build', '-w', '@gongshu/web'], {
      stdio: 'inherit',
      cwd: path.resolve(webDir, '../..'),
    });
    if (r.status !== 0) {
      console.error('The console build failed; the API still starts. Fix the build and run `npm run build`.');
    }
  }
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const stop = () => {
      console.log('Stopping…');
      server.close().then(resolve, (e) => {
        console.error(e);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

async function userCreate(config: Config, args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', multiple: true },
        org: { type: 'string' },
        'org-name': { type: 'string' },
        email: { type: 'string' },
        'password-stdin': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (!values.username) fail('--username is required');
  if (!values.name) fail('--name (the display name) is required');
  const roles = values.role ?? [];
  if (!roles.length) fail('at least one --role is required');
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length) fail(`unknown role(s): ${bad.join(', ')}; roles are ${ROLES.join(', ')}`);
  let password: string;
  let generated = false;
  if (values['password-stdin']) {
    password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (!password) fail('--password-stdin: nothing was read from standard input');
  } else {
    password = 'Gs-' + randomBytes(12).toString('base64url') + '9a';
    generated = true;
  }
  const rt = await openRuntime(config);
  try {
    const ctx = systemContext('cli:user-create');
    let orgCode = values.org;
    if (!orgCode) {
      const isCenterRole = roles.every((r) => ['center_admin', 'center_reviewer', 'supervisor'].includes(r));
      if (!isCenterRole) fail('--org CODE is required for unit roles');
      const orgs = await centerOrgs(rt.database.db);
      if (orgs.length > 1) fail('there is more than one Center; name one with --org CODE');
      if (orgs.length === 1) orgCode = orgs[0]!.code;
      else {
        const created = await rt.auth.createOrgAsSystem(ctx, {
          code: 'center',
          name: values['org-name'] ?? '运营中心',
          kind: 'center',
        });
        console.log(`Created the Center organisation "${created.name}" (code ${created.code}).`);
        orgCode = created.code;
      }
    }
    const org = await rt.auth.findOrgByCode(orgCode);
    if (!org) fail(`no organisation with code "${orgCode}"`);
    const user = await rt.auth.createUserAsSystem(ctx, {
      orgId: org.id,
      username: values.username,
      displayName: values.name,
      password,
      roles: roles as Role[],
      mustChangePassword: generated,
    });
    console.log(`Created user ${user.username} (${user.roles.join(', ')}) in ${org.name}.`);
    if (generated) console.log(`Initial password (shown once; it must be changed at first log-in): ${password}`);
    if (authPolicy.totpRequired(user.roles))
      console.log('Center admins set up a TOTP authenticator at their first log-in.');
    return 0;
  } finally {
    await rt.close();
  }
}

const VERDICT_WORDS: Record<string, string> = {
  named: '已查明来源 / source named',
  not_named: '无法认定来源 / no export can be named',
  ambiguous: '多个导出同样吻合，不予认定 / several exports agree; none is named',
  no_carriers: '文件中没有可追溯的标记 / the file holds no fingerprint carriers',
};

async function traceCommand(config: Config, args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (positionals.length !== 1) fail('give exactly one file to trace: gongshu trace [--json] FILE');
  const file = positionals[0]!;
  if (!existsSync(file) || !statSync(file).isFile()) fail(`no such file: ${file}`);
  const rt = await openRuntime(config);
  try {
    const masking = new MaskingService(rt.database.db, rt.catalog, maskingMaster(rt.keys.hmac));
    const tracer = new TraceService(rt.database.db, masking);
    let out;
    try {
      out = await tracer.traceFile(createReadStream(file), path.basename(file));
    } catch (e) {
      if (e instanceof AppError) {
        console.error(`${e.zh} / ${e.en}`);
        return 1;
      }
      throw e;
    }
    await tracer.record(systemContext('cli trace'), out);
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`文件 File: ${file} (SM3 ${out.sm3})`);
      console.log(
        `读取 Read: ${out.rowsRead} 行 rows, ${out.columnsRead} 列 columns; 标记位 carrier bits: ${out.carriers}; 比对导出 exports compared: ${out.candidates}`,
      );
      console.log(`结论 Verdict: ${VERDICT_WORDS[out.verdict]}`);
      if (out.named) {
        const n = out.named;
        console.log(`  导出 Export:    ${n.exportId} (${n.format}, ${n.encoding}, ${n.rows} 行 rows)`);
        console.log(`  授权 Grant:     ${n.grantId}`);
        console.log(`  使用单位 Unit:  ${n.consumer.name}`);
        if (n.system) console.log(`  系统 System:    ${n.system}`);
        if (n.user) console.log(`  用户 User:      ${n.user.name} (${n.user.username})`);
        console.log(
          `  时间 Time:      ${new Date(n.exportedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })}`,
        );
      }
      if (out.evidence)
        console.log(
          `  依据 Evidence:  ${out.evidence.agreeing}/${out.evidence.bits} 位吻合 bits agree; 误认概率 chance of a wrong export ≤ ${out.evidence.chance}`,
        );
    }
    return out.verdict === 'named' ? 0 : 3;
  } finally {
    await rt.close();
  }
}

async function maskCommand(config: Config, args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        profile: { type: 'string' },
        scope: { type: 'string' },
        out: { type: 'string' },
        'pass-unknown': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (!values.profile) fail('--profile is required (a JSON profile file, or resource:CODE[:PROFILE])');
  if (positionals.length !== 1) fail('give exactly one CSV file to mask');
  const file = positionals[0]!;
  if (!existsSync(file)) fail(`no such file: ${file}`);
  let profile: CsvProfile;
  let master: Buffer;
  if (values.profile.startsWith('resource:')) {
    const [, code, name] = values.profile.split(':');
    const rt = await openRuntime(config);
    try {
      try {
        profile = await csvProfileOf(rt.database.db, code ?? '', name || undefined);
      } catch (e) {
        if (e instanceof ProfileUnavailable) fail(e.message);
        throw e;
      }
      master = maskingMaster(rt.keys.hmac);
    } finally {
      await rt.close();
    }
  } else {
    if (!existsSync(values.profile)) fail(`no such profile file: ${values.profile}`);
    let raw: { columns?: Record<string, unknown> };
    try {
      raw = JSON.parse(readFileSync(values.profile, 'utf8'));
    } catch (e) {
      fail(`${values.profile} is not valid JSON: ${(e as Error).message}`);
    }
    if (!raw.columns || typeof raw.columns !== 'object') fail(`${values.profile} needs a "columns" object`);
    profile = { columns: {} };
    for (const [header, spec] of Object.entries(raw.columns)) {
      const s = (typeof spec === 'string' ? { rule: spec } : spec) as {
        rule?: string;
        kind?: string;
        type?: string;
        length?: number;
      } & Record<string, unknown>;
      if (!s.rule || !(RULES as readonly string[]).includes(s.rule))
        fail(`column "${header}": unknown rule "${s.rule ?? ''}"; rules are ${RULES.join(', ')}`);
      const { kind, type, length, ...rule } = s;
      profile.columns[header] = {
        rule: rule as { rule: string },
        column: { code: header, dataType: type ?? 'string', length: length ?? null, piiKind: kind ?? null },
      };
    }
    master = maskingMaster(loadKeys(config).hmac);
  }
  const total = statSync(file).size;
  const input = createReadStream(file);
  const output = values.out ? createWriteStream(values.out) : process.stdout;
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | {rows} rows | {speed} rows/s', stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let read = 0;
  const started = Date.now();
  bar?.start(total, 0, { rows: 0, speed: 0 });
  input.on('data', (chunk) => {
    read += chunk.length;
  });
  const stats = await maskCsv(input, output, profile, scopeKeys(master, values.scope ?? 'offline'), {
    passUnknown: values['pass-unknown'] ?? false,
    onRows: (n) =>
      bar?.update(read, { rows: n, speed: Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)) }),
  });
  bar?.update(total, {
    rows: stats.rows,
    speed: Math.round(stats.rows / Math.max(0.001, (Date.now() - started) / 1000)),
  });
  bar?.stop();
  const secs = (Date.now() - started) / 1000;
  process.stderr.write(
    `Masked ${stats.rows} rows (${stats.values} values) in ${secs.toFixed(1)} s, ${Math.round(stats.rows / Math.max(secs, 0.001))} rows/s.\n`,
  );
  if (stats.unmatchedHeaders.length)
    process.stderr.write(
      `${values['pass-unknown'] ? 'Passed through' : 'Masked whole (not in the profile)'}: ${stats.unmatchedHeaders.join(', ')}\n`,
    );
  return 0;
}

async function ingestCommand(config: Config, args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        resource: { type: 'string' },
        as: { type: 'string' },
        mode: { type: 'string' },
        encoding: { type: 'string' },
        delimiter: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (!values.resource) fail('--resource CODE is required (the catalog code, e.g. 301001/000001)');
  if (!values.as) fail('--as USERNAME is required: the unit data officer the batch is recorded under');
  if (positionals.length !== 1) fail('give exactly one CSV or XLSX file');
  const mode = values.mode ?? 'upsert';
  if (!['upsert', 'append', 'replace'].includes(mode)) fail(`--mode must be upsert, append or replace, not "${mode}"`);
  const encoding = values.encoding ?? 'auto';
  if (!['auto', 'utf-8', 'gbk', 'gb18030'].includes(encoding))
    fail(`--encoding must be auto, utf-8, gbk or gb18030, not "${encoding}"`);
  const delimiter = values.delimiter ?? 'auto';
  if (delimiter !== 'auto' && !(delimiter in DELIMITERS))
    fail(`--delimiter must be auto, ${Object.keys(DELIMITERS).join(', ')}, not "${delimiter}"`);
  const file = positionals[0]!;
  if (!existsSync(file)) fail(`no such file: ${file}`);
  const total = statSync(file).size;
  const xlsx = /\.xlsx$/i.test(file);
  const rt = await openRuntime(config);
  try {
    await rt.ingest.recoverStale();
    const actor = await rt.auth.cliActor(values.as);
    const ctx = { actor, requestId: 'cli.ingest', ip: null };
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: ' {bar} {percentage}% | {rows} rows | {speed} rows/s', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
    const started = Date.now();
    bar?.start(total, 0, { rows: 0, speed: 0 });
    const res = await rt.ingest.ingest(
      ctx,
      values.resource,
      {
        source: 'cli',
        mode: mode as 'upsert',
        fileName: path.basename(file),
        fileFormat: xlsx ? 'xlsx' : 'csv',
        encoding: !xlsx && encoding !== 'auto' ? encoding : null,
        totalBytes: total,
        strictWidth: !xlsx,
      },
      (onBytes) => {
        // 1 MB reads: a sixteenth of the read calls of the default 64 KB (docs/benchmarks.md)
        const input = createReadStream(file, { highWaterMark: 1 << 20 });
        const track = (n: number) => {
          onBytes(n);
        };
        return xlsx
          ? openXlsx(input, { onBytes: track })
          : openCsv(input, {
              encoding: (encoding === 'gbk' ? 'gb18030' : encoding) as Encoding,
              ...(delimiter !== 'auto' ? { delimiter: DELIMITERS[delimiter]! } : {}),
              onBytes: track,
            });
      },
      (p) =>
        bar?.update(p.bytes, {
          rows: p.received,
          speed: Math.round(p.received / Math.max(0.001, (Date.now() - started) / 1000)),
        }),
    );
    bar?.update(total);
    bar?.stop();
    const b = res.batch;
    const secs = (Date.now() - started) / 1000;
    if (b.status !== 'succeeded') {
      console.error(`Batch ${b.id} failed: ${b.error?.zh ?? ''}\n  ${b.error?.en ?? ''}`);
      return 1;
    }
    console.log(
      `Batch ${b.id}: ${b.received} rows read, ${b.accepted} loaded, ${b.rejected} rejected in ${secs.toFixed(1)} s (${Math.round(b.received / Math.max(secs, 0.001))} rows/s).`,
    );
    for (const w of b.warnings) console.log(`  note: ${w.zh} / ${w.en}`);
    for (const r of b.rejectedSample)
      console.log(`  ${r.where.zh} / ${r.where.en}: ${r.errors.map((e) => e.zh).join('；')}`);
    if (b.rejected > b.rejectedSample.length)
      console.log(
        `  … ${b.rejected - b.rejectedSample.length} more; download them all from the console (batch ${b.id}).`,
      );
    // the outcome as the exit code: 0 every row loaded (or none sent), 3 some rejected, 4 none loaded
    if (b.outcome === 'none_accepted')
      console.log(`  Nothing was loaded: every row was rejected (outcome none_accepted).`);
    return b.outcome === 'partly_accepted' ? 3 : b.outcome === 'none_accepted' ? 4 : 0;
  } finally {
    await rt.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (process.argv[2] !== 'start') process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`gongshu: ${e.message}\nRun "gongshu --help" for usage.`);
      process.exit(2);
    }
    if (e instanceof ConfigError) {
      console.error(`gongshu: configuration error: ${e.message}`);
      process.exit(2);
    }
    if (e instanceof AppError) {
      const fields = e.fields.map((f) => `  ${f.field}: ${f.message.en} / ${f.message.zh}`).join('\n');
      console.error(`gongshu: ${e.en}\n${fields}`);
      process.exit(2);
    }
    console.error('gongshu:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
