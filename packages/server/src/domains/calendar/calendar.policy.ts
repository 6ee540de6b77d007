// Who may change the working calendar and the policy parameters: the Center's admins (anyone signed in reads them).
import { hasRole, type Actor } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';

export type CalendarAction = 'calendar.override' | 'policy.update';

export const can = (actor: Actor | null, _action: CalendarAction): boolean => hasRole(actor, 'center_admin');

export function authorize(actor: Actor | null, action: CalendarAction): void {
  if (!can(actor, action)) throw errors.forbidden(action);
}
