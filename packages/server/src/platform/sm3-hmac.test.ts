// The TypeScript SM3 and HMAC-SM3 must give exactly what Node's OpenSSL gives.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sm3, Sm3Hmac } from './sm3-hmac.ts';

it('SM3 matches the GB/T 32905 vectors and Node on every length up to five blocks', () => {
  assert.equal(
    sm3(Buffer.from('abc')).toString('hex'),
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
  );
  assert.equal(
    sm3(Buffer.from('abcd'.repeat(16))).toString('hex'),
    'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
  );
  for (let n = 0; n <= 320; n++) {
    const m = randomBytes(n);
    assert.equal(sm3(m).toString('hex'), createHash('sm3').update(m).digest('hex'), `length ${n}`);
  }
});

it('HMAC-SM3 matches Node for keys of every common length and texts of every length, reusing its scratch', () => {
  for (const keyLen of [1, 16, 32, 63, 64, 65, 100]) {
    const key = randomBytes(keyLen);
    const mac = new Sm3Hmac(key);
    for (let n = 0; n <= 200; n++) {
      const m = randomBytes(n);
      assert.equal(
        mac.digest(m).toString('hex'),
        createHmac('sm3', key).update(m).digest('hex'),
        `key ${keyLen}, length ${n}`,
      );
    }
    for (const text of [
      '',
      '张伟',
      '640106199001011234',
      '宁夏回族自治区银川市金凤区满城北街街道12号',
      '𠀀'.repeat(90),
      'x'.repeat(5000),
    ])
      assert.equal(
        mac.digest(text).toString('hex'),
        createHmac('sm3', key).update(text).digest('hex'),
        `key ${keyLen}, ${text.slice(0, 10)}`,
      );
  }
});
