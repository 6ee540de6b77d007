export { CalendarService, type PolicySnapshot } from './calendar.service.ts';
export { calendarRoutes } from './calendar.routes.ts';
export {
  WorkingCalendar,
  todayInShanghai,
  isValidDate,
  shiftDays,
  packageYearRange,
  type DueStatus,
} from './working-days.ts';
export { POLICY_PARAMS, defaultPolicy } from './policy.ts';
export * as calendarPolicy from './calendar.policy.ts';
