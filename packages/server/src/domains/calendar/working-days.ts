// Working days in Asia/Shanghai: the State Council schedule shipped by chinese-days, weekends for
// years it does not cover, and Center overrides on top. Dates are 'YYYY-MM-DD' strings throughout.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const data = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

export type DayKind = 'workday' | 'restday';
export interface DayInfo {
  date: string;
  working: boolean;
  /** why: weekday/weekend by default, a public holiday, a make-up working day (调休), or a Center override */
  reason: 'weekday' | 'weekend' | 'holiday' | 'makeup_workday' | 'override';
  name: string | null;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function toUtc(s: string): Date {
  if (!isValidDate(s)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${s}`);
  return new Date(`${s}T00:00:00Z`);
}
function fmt(d: Date): string {
  return d.toISOString().slice(0, 10);
}
export function shiftDays(s: string, n: number): string {
  const d = toUtc(s);
  d.setUTCDate(d.getUTCDate() + n);
  return fmt(d);
}

/** Today's date in Asia/Shanghai (UTC+8, no DST). */
export function todayInShanghai(now: Date = new Date()): string {
  return fmt(new Date(now.getTime() + 8 * 3600_000));
}

const packageYears = new Set(Object.keys(data.holidays).map((d) => Number(d.slice(0, 4))));
export function packageCoversYear(year: number): boolean {
  return packageYears.has(year);
}
export const packageYearRange = { from: Math.min(...packageYears), to: Math.max(...packageYears) };

function holidayName(raw: string | undefined): string | null {
  if (!raw) return null;
  const parts = raw.split(',');
  return parts[1] ?? parts[0] ?? null;
}

export class WorkingCalendar {
  constructor(private readonly overrides: ReadonlyMap<string, { kind: DayKind; note: string }> = new Map()) {}

  day(date: string): DayInfo {
    const d = toUtc(date);
    const o = this.overrides.get(date);
    if (o) return { date, working: o.kind === 'workday', reason: 'override', name: o.note };
    if (data.workdays[date])
      return { date, working: true, reason: 'makeup_workday', name: holidayName(data.workdays[date]) };
    if (data.holidays[date]) return { date, working: false, reason: 'holiday', name: holidayName(data.holidays[date]) };
    const wd = d.getUTCDay();
    return wd === 0 || wd === 6
      ? { date, working: false, reason: 'weekend', name: null }
      : { date, working: true, reason: 'weekday', name: null };
  }

  isWorkingDay(date: string): boolean {
    return this.day(date).working;
  }

  /**
   * The date n working days after `date`, not counting `date` itself (a deadline of
   * "within 10 working days of D" is addWorkingDays(D, 10)). n = 0 gives `date` if it is a
   * working day, else the next one. Negative n counts backwards.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n)) throw new RangeError(`working-day count must be an integer, got ${n}`);
    let cur = date;
    if (n === 0) {
      while (!this.isWorkingDay(cur)) cur = shiftDays(cur, 1);
      return cur;
    }
    const step = n > 0 ? 1 : -1;
    let left = Math.abs(n);
    while (left > 0) {
      cur = shiftDays(cur, step);
      if (this.isWorkingDay(cur)) left--;
    }
    return cur;
  }

  /** Working days in (a, b]; negative when b is before a. addWorkingDays(a, n) = b ⇒ this = n. */
  workingDaysBetween(a: string, b: string): number {
    if (a === b) return 0;
    const [lo, hi, sign] = a < b ? [a, b, 1] : [b, a, -1];
    let count = 0;
    for (let cur = shiftDays(lo, 1); cur <= hi; cur = shiftDays(cur, 1)) if (this.isWorkingDay(cur)) count++;
    return sign * count;
  }

  /** Due-date status for a case: working days left, or how many working days overdue. */
  dueStatus(due: string, today: string): DueStatus {
    if (today > due)
      return { due, today, state: 'overdue', daysLeft: 0, daysOverdue: this.workingDaysBetween(due, today) };
    if (today === due) return { due, today, state: 'due_today', daysLeft: 0, daysOverdue: 0 };
    return { due, today, state: 'open', daysLeft: this.workingDaysBetween(today, due), daysOverdue: 0 };
  }

  year(year: number): DayInfo[] {
    const out: DayInfo[] = [];
    for (let cur = `${year}-01-01`; cur.startsWith(String(year)); cur = shiftDays(cur, 1)) out.push(this.day(cur));
    return out;
  }
}

export interface DueStatus {
  due: string;
  today: string;
  state: 'open' | 'due_today' | 'overdue';
  daysLeft: number;
  daysOverdue: number;
}
