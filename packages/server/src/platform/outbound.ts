// The one address guard every outbound connection goes through (pulls now; database sync and webhooks later).
// A host is resolved once, every address it resolves to is checked against refused ranges (ipaddr.js, with
// IPv4-mapped, -compatible, NAT64, 6to4 and Teredo forms unwrapped to the IPv4 inside), and the connection is made
// to the address that was checked, so a name that answers differently the second time (DNS rebinding) cannot
// redirect it. Failures reach the caller in words that do not tell a port scanner whether a port is open.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { networkInterfaces } from 'node:os';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Resolver = (host: string) => Promise<string[]>;

export interface OutboundPolicy {
  /** This machine's own addresses (loopback and its interfaces) are refused unless allowed (tests, single-machine pilots). */
  allowLoopback: boolean;
  /** The platform's own PostgreSQL (DATABASE_URL): never a target of a database connection. */
  platformDatabase: string | undefined;
  /** Name resolution; replaceable in tests. */
  resolve?: Resolver;
}

/** Why an address is refused, in both languages. */
export interface Refusal {
  zh: string;
  en: string;
}

export interface Target {
  host: string;
  port: number;
  /** the address that was checked: connect to this one, never to `host` again */
  address: string;
  family: 4 | 6;
}

const systemResolve: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

const ALWAYS_REFUSED: Record<string, Refusal> = {
  linkLocal: { zh: '链路本地地址（云主机元数据）', en: 'link-local (cloud metadata)' },
  unspecified: { zh: '无效地址', en: 'unspecified' },
  broadcast: { zh: '广播地址', en: 'broadcast' },
  multicast: { zh: '组播地址', en: 'multicast' },
};
const THIS_MACHINE: Refusal = { zh: '本机地址', en: 'loopback or this machine' };

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo), if any. */
function embeddedV4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = a.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  if (a.isIPv4MappedAddress()) return a.toIPv4Address();
  // ::a.b.c.d (IPv4-compatible, deprecated), NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (p.slice(0, 6).every((x) => x === 0) && (p[6]! !== 0 || p[7]! > 1)) return v4(p[6]!, p[7]!);
  if (p[0] === 0x64 && p[1] === 0xff9b) return v4(p[6]!, p[7]!);
  if (p[0] === 0x2002) return v4(p[1]!, p[2]!);
  if (p[0] === 0x2001 && p[1] === 0) return v4(p[6]! ^ 0xffff, p[7]! ^ 0xffff);
  return null;
}

function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) out.add(ipaddr.process(i.address.split('%')[0]!).toString());
  return out;
}

/** Why `address` may not be connected to, or null. Every spelling of an address is judged by what it is. */
export function addressRefusal(address: string, allowLoopback: boolean): Refusal | null {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0]!;
  if (!ipaddr.isValid(bare)) return { zh: '不是有效的地址', en: 'not a valid address' };
  const parsed = ipaddr.parse(bare);
  const all: (ipaddr.IPv4 | ipaddr.IPv6)[] = [parsed];
  if (parsed.kind() === 'ipv6') {
    const inner = embeddedV4(parsed as ipaddr.IPv6);
    if (inner) all.push(inner);
  }
  const own = allowLoopback ? null : ownAddresses();
  for (const a of all) {
    const range = a.range();
    if (ALWAYS_REFUSED[range]) return ALWAYS_REFUSED[range]!;
    if (!allowLoopback && (range === 'loopback' || own!.has(a.toString()))) return THIS_MACHINE;
  }
  return null;
}

export class OutboundGuard {
  private readonly resolve: Resolver;
  constructor(private readonly policy: OutboundPolicy) {
    this.resolve = policy.resolve ?? systemResolve;
  }

  /**
   * Resolves `host` once and checks every address it gives; returns the address to connect to, or why not.
   * `database` names the database of a PostgreSQL connection, refused when it is the platform's own.
   */
  async target(host: string, port: number, database?: string): Promise<Target | { refused: Refusal }> {
    const bare = host.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (ipaddr.isValid(bare.split('%')[0]!)) addresses = [bare];
    else {
      try {
        addresses = await this.resolve(bare);
      } catch {
        addresses = [];
      }
      if (!addresses.length)
        return { refused: { zh: `无法解析主机名 ${host}`, en: `Cannot resolve the host name ${host}` } };
    }
    for (const a of addresses) {
      const why = addressRefusal(a, this.policy.allowLoopback);
      if (why)
        return {
          refused: {
            zh: `不允许连接 ${host}（${a}，${why.zh}）`,
            en: `Connecting to ${host} (${a}, ${why.en}) is not allowed`,
          },
        };
    }
    const address = ipaddr.process(addresses[0]!.split('%')[0]!).toString();
    if (
      database !== undefined &&
      this.policy.platformDatabase &&
      (await this.isPlatformDatabase(address, port, database))
    )
      return {
        refused: { zh: '不允许连接平台自身的数据库', en: 'The platform\u2019s own database may not be connected to' },
      };
    return { host, port, address, family: address.includes(':') ? 6 : 4 };
  }

  private async isPlatformDatabase(address: string, port: number, database: string): Promise<boolean> {
    const u = new URL(this.policy.platformDatabase!);
    if (decodeURIComponent(u.pathname.slice(1)) !== database || port !== Number(u.port || 5432)) return false;
    const h = u.hostname.replace(/^\[|\]$/g, '');
    const dbAddresses = ipaddr.isValid(h) ? [h] : await this.resolve(h).catch(() => [] as string[]);
    return dbAddresses.some((a) => ipaddr.isValid(a) && ipaddr.process(a).toString() === address);
  }

  /**
   * GET a URL and parse its JSON body, connecting to the checked address (TLS still verifies the host name),
   * without following redirects, reading at most `maxBytes`.
   */
  async getJson(
    url: URL,
    headers: Record<string, string>,
    opts: { timeoutMs: number; maxBytes: number },
  ): Promise<unknown> {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const t = await this.target(url.hostname, port);
    if ('refused' in t) throw new OutboundRefused(t.refused);
    const pinned: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all)
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: t.address, family: t.family },
        ]);
      else cb(null, t.address, t.family);
    };
    const mod = url.protocol === 'https:' ? https : http;
    return await new Promise<unknown>((resolve, reject) => {
      const req = mod.request(url, { method: 'GET', headers, lookup: pinned, timeout: opts.timeoutMs }, (res) => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
          res.resume();
          reject(new OutboundFailed(`HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) {
            req.destroy(new OutboundFailed(`reply larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new OutboundFailed('reply is not JSON'));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new OutboundFailed('timed out')));
      req.on('error', (e) => reject(e instanceof OutboundFailed ? e : new OutboundFailed((e as Error).message)));
      req.end();
    });
  }
}

/** A connection the guard would not make. */
export class OutboundRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.en);
  }
}

/** A connection that was made (or tried) and failed; `detail` is for the server log only. */
export class OutboundFailed extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** What the caller is told of a failed connection: the same words whether the port was closed, filtered or open. */
export const CONNECTION_FAILED: Refusal = {
  zh: '无法连接，或对方拒绝了请求：请检查地址、端口、账号和口令（具体原因已记入服务器日志）',
  en: 'Could not connect, or the other side refused: check the address, port, account and password (the cause is in the server log)',
};
