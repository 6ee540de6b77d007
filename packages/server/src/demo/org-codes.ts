// Organisation codes (GB 11714) and unified social credit codes (GB 32100) for demo organisations.
import { createHash } from 'node:crypto';
import { usccCheckChar } from '../platform/uscc.ts';

const W = [3, 7, 9, 10, 5, 8, 4, 2];

/** A 9-character organisation code: 8 digits derived from the seed plus its GB 11714 check character. */
export function orgCodeFor(seed: string): string {
  const digest = createHash('sm3').update(seed).digest();
  const body = Array.from(digest.subarray(0, 8), (b) => String(b % 10)).join('');
  const sum = [...body].reduce((s, ch, i) => s + Number(ch) * W[i]!, 0);
  const c = 11 - (sum % 11);
  return body + (c === 10 ? 'X' : c === 11 ? '0' : String(c));
}

/** USCC: registration authority 1 (机构编制) + type (1 organ, 2 institution) + region + org code + check. */
export function demoUscc(seed: string, region: string, institution: boolean): string {
  const first17 = '1' + (institution ? '2' : '1') + region + orgCodeFor(seed);
  return first17 + usccCheckChar(first17)!;
}
