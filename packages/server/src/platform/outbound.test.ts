// The outbound address guard: every spelling of a refused address is refused, a host is resolved once and the
// connection goes to the checked address (a resolver that changes its answer cannot redirect it).
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { addressRefusal, OutboundGuard, OutboundFailed, OutboundRefused } from './outbound.ts';
import { servePeopleApi } from '../testing/ingest-fixtures.ts';

describe('outbound address guard', () => {
  it('refuses every spelling of link-local, unspecified, broadcast, multicast and this machine', () => {
    const refused = [
      '169.254.169.254',
      '::ffff:169.254.169.254',
      '[::ffff:169.254.169.254]',
      '::ffff:a9fe:a9fe',
      '0:0:0:0:0:ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '2002:a9fe:a9fe::1',
      '::169.254.169.254',
      'fe80::1',
      'fe80::1%eth0',
      'FE80::abcd',
      '127.0.0.1',
      '127.1',
      '127.0.0.2',
      '2130706433',
      '0x7f.0.0.1',
      '0177.0.0.1',
      '0x7f000001',
      '::1',
      '0:0:0:0:0:0:0:1',
      '0000:0000::0001',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
      '0.0.0.0',
      '0',
      '::',
      '0:0:0:0:0:0:0:0',
      '255.255.255.255',
      '224.0.0.1',
      'ff02::1',
    ];
    for (const a of refused) assert.ok(addressRefusal(a, false), `${a} should be refused`);
    // loopback may be allowed (a pilot on one machine); link-local never
    assert.equal(addressRefusal('::ffff:127.0.0.1', true), null);
    assert.ok(addressRefusal('::ffff:169.254.169.254', true));
    assert.ok(addressRefusal('64:ff9b::a9fe:a9fe', true));
    // this machine's own interface addresses count as this machine
    for (const list of Object.values(networkInterfaces()))
      for (const i of list ?? []) assert.ok(addressRefusal(i.address, false), `own address ${i.address}`);
    // a unit's database on the government network is the ordinary case
    for (const a of [
      '10.12.0.8',
      '172.20.1.1',
      '192.168.10.20',
      '100.64.3.4',
      'fd12:3456::1',
      '2400:3200::1',
      '::ffff:10.0.0.1',
    ])
      assert.equal(addressRefusal(a, false), null, a);
  });

  it('a name is refused when any address it resolves to is refused', async () => {
    const guard = new OutboundGuard({
      allowLoopback: false,
      platformDatabase: undefined,
      resolve: async () => ['10.1.1.1', '::ffff:169.254.169.254'],
    });
    const t = await guard.target('mixed.example', 80);
    assert.ok('refused' in t);
    assert.match(t.refused.en, /link-local/);
    const none = new OutboundGuard({
      allowLoopback: false,
      platformDatabase: undefined,
      resolve: async () => {
        throw new Error('ENOTFOUND');
      },
    });
    const n = await none.target('nowhere.example', 80);
    assert.ok('refused' in n && /resolve/.test(n.refused.en));
  });

  it('DNS rebinding: resolved once, and the request goes to the address that was checked', async () => {
    const api = await servePeopleApi('k', '1970-01-01');
    const port = new URL(api.base).port;
    let calls = 0;
    // first answer allowed (loopback allowed here, as for a pilot); every later answer is the metadata address
    const guard = new OutboundGuard({
      allowLoopback: true,
      platformDatabase: undefined,
      resolve: async () => (++calls === 1 ? ['127.0.0.1'] : ['169.254.169.254']),
    });
    try {
      const body = (await guard.getJson(
        new URL(`http://rebind.example:${port}/api/dibao?page=1&size=2`),
        { 'x-api-key': 'k' },
        { timeoutMs: 5000, maxBytes: 1 << 20 },
      )) as { data: { list: unknown[] } };
      assert.equal(body.data.list.length, 2);
      assert.equal(calls, 1, 'the host is resolved once, by the guard');
      // the next request resolves again and is refused before any connection
      await assert.rejects(
        guard.getJson(new URL(`http://rebind.example:${port}/api/dibao`), {}, { timeoutMs: 5000, maxBytes: 1 << 20 }),
        OutboundRefused,
      );
    } finally {
      await api.close();
    }
  });

  it('closed, silent and non-HTTP ports fail alike, redirects are not followed, replies are bounded', async () => {
    const guard = new OutboundGuard({ allowLoopback: true, platformDatabase: undefined });
    const redirect = createServer((_q, r) => r.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    const big = createServer((_q, r) =>
      r.writeHead(200, { 'content-type': 'application/json' }).end('[' + '1,'.repeat(600_000) + '1]'),
    );
    await Promise.all([redirect, big].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const url = (s: typeof redirect) => new URL(`http://127.0.0.1:${(s.address() as { port: number }).port}/`);
    try {
      await assert.rejects(guard.getJson(url(redirect), {}, { timeoutMs: 5000, maxBytes: 1 << 20 }), OutboundFailed);
      await assert.rejects(
        guard.getJson(url(big), {}, { timeoutMs: 5000, maxBytes: 1 << 20 }),
        (e: Error) => e instanceof OutboundFailed && /larger/.test(e.message),
      );
      await assert.rejects(
        guard.getJson(new URL('http://127.0.0.1:1/'), {}, { timeoutMs: 5000, maxBytes: 1 << 20 }),
        OutboundFailed,
      );
    } finally {
      redirect.close();
      big.close();
    }
  });
});
