// TOTP (RFC 6238) second factor, 6 digits, 30 s steps, one step of clock drift either way.
import { TOTP, Secret } from 'otpauth';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label: string) {
  return new TOTP({
    issuer: 'Gongshu 公数',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function totpUri(secretBase32: string, username: string): string {
  return totp(secretBase32, username).toString();
}

/** The time step a valid code belongs to, or null. Callers refuse a step already used (replay). */
export function totpMatch(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32, 'x').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 1000 / 30) + delta;
}

export function totpNow(secretBase32: string, now = Date.now()): string {
  return totp(secretBase32, 'x').generate({ timestamp: now });
}
