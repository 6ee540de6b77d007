// argon2id password hashing and the password rules (等保 2.0 style complexity).
import { hash, verify } from '@node-rs/argon2';

const OPTS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(pw: string): Promise<string> {
  return hash(pw, OPTS);
}

export async function verifyPassword(stored: string, pw: string): Promise<boolean> {
  try {
    return await verify(stored, pw);
  } catch {
    return false;
  }
}

// A real hash of a random password, so an unknown user name costs the same time as a wrong password.
let dummy: Promise<string> | null = null;
export async function burnPasswordCheck(pw: string): Promise<void> {
  dummy ??= hashPassword('gongshu-dummy-' + Math.random());
  await verifyPassword(await dummy, pw);
}

/** Returns a problem with the password, in zh and en, or null when it is acceptable. */
export function passwordProblem(pw: string, username: string): { zh: string; en: string } | null {
  if (pw.length < 8) return { zh: '密码至少 8 位', en: 'the password needs at least 8 characters' };
  if (pw.length > 128) return { zh: '密码不能超过 128 位', en: 'the password may have at most 128 characters' };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(pw)).length;
  if (classes < 3)
    return {
      zh: '密码须包含大写字母、小写字母、数字、符号中的至少三类',
      en: 'the password needs three of: upper case, lower case, digits, symbols',
    };
  if (pw.toLowerCase().includes(username.toLowerCase()))
    return { zh: '密码不能包含用户名', en: 'the password must not contain the user name' };
  return null;
}
