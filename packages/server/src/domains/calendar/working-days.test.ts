// Against the State Council's published schedules (国务院办公厅关于2025年/2026年部分节假日安排的通知).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkingCalendar, isValidDate, packageCoversYear, todayInShanghai } from './working-days.ts';

const cal = new WorkingCalendar();
const rest = (d: string) => assert.equal(cal.isWorkingDay(d), false, `${d} should be a rest day`);
const work = (d: string) => assert.equal(cal.isWorkingDay(d), true, `${d} should be a working day`);
function range(a: string, b: string): string[] {
  const out: string[] = [];
  for (let d = new Date(a + 'T00:00:00Z'); d <= new Date(b + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1))
    out.push(d.toISOString().slice(0, 10));
  return out;
}

describe('2025 State Council schedule', () => {
  it('holidays are rest days', () => {
    for (const d of [
      '2025-01-01',
      ...range('2025-01-28', '2025-02-04'),
      ...range('2025-04-04', '2025-04-06'),
      ...range('2025-05-01', '2025-05-05'),
      ...range('2025-05-31', '2025-06-02'),
      ...range('2025-10-01', '2025-10-08'),
    ])
      rest(d);
  });
  it('make-up days (调休) are working days even on weekends', () => {
    for (const d of ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']) {
      work(d);
      assert.equal(cal.day(d).reason, 'makeup_workday');
    }
  });
  it('ordinary weekdays work, ordinary weekends rest', () => {
    work('2025-03-12');
    rest('2025-03-15');
    rest('2025-03-16');
  });
});

describe('2026 State Council schedule', () => {
  it('holidays are rest days', () => {
    for (const d of [
      ...range('2026-01-01', '2026-01-03'),
      ...range('2026-02-15', '2026-02-23'),
      ...range('2026-04-04', '2026-04-06'),
      ...range('2026-05-01', '2026-05-05'),
      ...range('2026-06-19', '2026-06-21'),
      ...range('2026-09-25', '2026-09-27'),
      ...range('2026-10-01', '2026-10-07'),
    ])
      rest(d);
  });
  it('make-up days are working days', () => {
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) work(d);
  });
  it('holiday names come from the schedule', () => {
    assert.equal(cal.day('2026-10-02').reason, 'holiday');
    assert.match(cal.day('2026-10-02').name ?? '', /国庆/);
  });
});

describe('addWorkingDays / workingDaysBetween across the 2026 National Day holiday', () => {
  it('a 10-working-day filing limit from 2026-09-28 ends 2026-10-16', () => {
    // 29, 30, Oct 8, 9, 10 (make-up Saturday), 12, 13, 14, 15, 16
    assert.equal(cal.addWorkingDays('2026-09-28', 10), '2026-10-16');
  });
  it('a 5-working-day review from 2026-09-30 counts the make-up Saturday 2026-10-10', () => {
    // Oct 8, 9, 10 (make-up Saturday), 12, 13
    assert.equal(cal.addWorkingDays('2026-09-30', 3), '2026-10-10');
    assert.equal(cal.addWorkingDays('2026-09-30', 5), '2026-10-13');
  });
  it('counting back and zero days', () => {
    assert.equal(cal.addWorkingDays('2026-10-08', -1), '2026-09-30');
    assert.equal(cal.addWorkingDays('2026-10-03', 0), '2026-10-08');
    assert.equal(cal.addWorkingDays('2026-10-09', 0), '2026-10-09');
  });
  it('workingDaysBetween is the inverse of addWorkingDays', () => {
    for (const [a, n] of [
      ['2026-09-28', 10],
      ['2026-02-10', 7],
      ['2025-12-30', 4],
      ['2026-10-10', -6],
    ] as const) {
      const b = cal.addWorkingDays(a, n);
      assert.equal(cal.workingDaysBetween(a, b), n, `${a} + ${n} = ${b}`);
    }
    assert.equal(cal.workingDaysBetween('2026-10-01', '2026-10-07'), 0);
  });
  it('rejects dates that do not exist and fractional counts', () => {
    assert.throws(() => cal.addWorkingDays('2026-02-30', 1), /not a calendar date/);
    assert.throws(() => cal.addWorkingDays('2026-02-03', 1.5), /integer/);
    assert.equal(isValidDate('2024-02-29'), true);
    assert.equal(isValidDate('2025-02-29'), false);
  });
});

describe('due status', () => {
  it('counts working days left, due today and overdue', () => {
    assert.deepEqual(cal.dueStatus('2026-10-16', '2026-09-30'), {
      due: '2026-10-16',
      today: '2026-09-30',
      state: 'open',
      daysLeft: 8,
      daysOverdue: 0,
    });
    assert.equal(cal.dueStatus('2026-10-16', '2026-10-16').state, 'due_today');
    const late = cal.dueStatus('2026-09-30', '2026-10-09');
    assert.equal(late.state, 'overdue');
    assert.equal(late.daysOverdue, 2);
  });
});

describe('Center overrides and uncovered years', () => {
  it('an override wins over the package', () => {
    const c = new WorkingCalendar(
      new Map([
        ['2026-10-09', { kind: 'restday' as const, note: '临时调整' }],
        ['2026-10-03', { kind: 'workday' as const, note: '应急值守' }],
      ]),
    );
    assert.equal(c.isWorkingDay('2026-10-09'), false);
    assert.equal(c.isWorkingDay('2026-10-03'), true);
    assert.equal(c.day('2026-10-03').reason, 'override');
    assert.equal(c.addWorkingDays('2026-09-30', 1), '2026-10-03');
  });
  it('a year the package does not cover falls back to weekends until the Center enters it', () => {
    assert.equal(packageCoversYear(2026), true);
    assert.equal(packageCoversYear(2099), false);
    const c = new WorkingCalendar(new Map([['2099-01-01', { kind: 'restday' as const, note: '元旦' }]]));
    assert.equal(c.isWorkingDay('2099-01-01'), false);
    assert.equal(c.isWorkingDay('2099-01-02'), true);
    assert.equal(c.isWorkingDay('2099-01-03'), false); // Saturday
  });
  it('today is computed in Asia/Shanghai', () => {
    assert.equal(todayInShanghai(new Date('2026-09-30T16:30:00Z')), '2026-10-01');
    assert.equal(todayInShanghai(new Date('2026-09-30T15:59:00Z')), '2026-09-30');
  });
});
