// npm run bench:mask — 1,000,000 rows (resident ID, name, mobile, address, bank card, free text) through the
// streaming masking path with a mixed profile (mask, hash, tokenize, truncate), next to a baseline that only
// copies the same values through the same path (parse → transform → stringify) in the same run.
import { createReadStream, createWriteStream, statSync, existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { maskCsv, scopeKeys, type CsvProfile } from '../packages/server/src/domains/masking/index.ts';
import { residentIdCheck } from '../packages/server/src/platform/formats.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const file = path.join(tmpdir(), `gongshu-mask-bench-${ROWS}.csv`);
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '马', '欧阳', '司马', '赵'];
const GIVEN = ['伟', '芳', '娜', '建华', '秀兰', '志强', '海燕', '晓东'];
const STREETS = ['满城北街街道', '黄河东路街道', '北京中路街道', '长城中路街道', '阅海街道'];

let seed = 42;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};

async function generate() {
  if (existsSync(file)) return;
  const out = createWriteStream(file);
  out.write('id_no,name,mobile,address,bank_card,note\n');
  let buf = '';
  for (let i = 0; i < ROWS; i++) {
    const f17 = `640106${1950 + rnd(60)}${String(1 + rnd(12)).padStart(2, '0')}${String(1 + rnd(28)).padStart(2, '0')}${String(rnd(1000)).padStart(3, '0')}`;
    const id = f17 + residentIdCheck(f17);
    const name = SURNAMES[rnd(SURNAMES.length)]! + GIVEN[rnd(GIVEN.length)]!;
    const mobile = `1${3 + rnd(7)}${String(rnd(1e9)).padStart(9, '0')}`;
    const addr = `宁夏回族自治区银川市金凤区${STREETS[rnd(STREETS.length)]}${rnd(200)}号${rnd(30)}栋${rnd(6)}单元${rnd(3000)}`;
    const card = `622202${String(rnd(1e9)).padStart(9, '0')}${String(rnd(1e4)).padStart(4, '0')}`;
    const note = `第${i}号记录，已核实，联系人${name}`;
    buf += `${id},${name},${mobile},${addr},${card},${note}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const profile: CsvProfile = {
  columns: {
    id_no: { rule: { rule: 'hash' }, column: { code: 'id_no', dataType: 'string', length: 18, piiKind: 'id_card' } },
    name: { rule: { rule: 'mask' }, column: { code: 'name', dataType: 'string', piiKind: 'name' } },
    mobile: { rule: { rule: 'tokenize' }, column: { code: 'mobile', dataType: 'string', piiKind: 'mobile' } },
    address: { rule: { rule: 'mask' }, column: { code: 'address', dataType: 'string', piiKind: 'address' } },
    bank_card: { rule: { rule: 'mask' }, column: { code: 'bank_card', dataType: 'string', piiKind: 'bank_card' } },
    note: { rule: { rule: 'truncate', keepFirst: 8 }, column: { code: 'note', dataType: 'string' } },
  },
};

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

async function run(identity: boolean) {
  const t = performance.now();
  const stats = await maskCsv(createReadStream(file), sink(), profile, scopeKeys(randomBytes(32), 'bench'), {
    identity,
  });
  return { secs: (performance.now() - t) / 1000, values: stats.values };
}

await generate();
const mb = statSync(file).size / (1 << 20);
console.log(`input: ${ROWS} rows, ${mb.toFixed(0)} MB (${file})`);
await run(true); // warm the page cache and the JIT
const base = await run(true);
const masked = await run(false);
const r = {
  bench: 'mask',
  rows: ROWS,
  values_per_s: Math.round(masked.values / masked.secs),
  mb_per_s: +(mb / masked.secs).toFixed(1),
  baseline_values_per_s: Math.round(base.values / base.secs),
  baseline_mb_per_s: +(mb / base.secs).toFixed(1),
  ratio: +(masked.secs / base.secs).toFixed(2),
};
console.log(
  `masking: ${r.values_per_s} values/s, ${r.mb_per_s} MB/s | copy baseline: ${r.baseline_values_per_s} values/s, ${r.baseline_mb_per_s} MB/s | masking costs ${r.ratio}× the copy (one core)`,
);
console.log(JSON.stringify(r));
