// What the console offers the signed-in user, as the server said at log-in (the session's abilities, decided by the
// server's policies). Nothing here decides who may do what: a hidden button is a courtesy, the server still checks.
import type { Ability, Me, Page } from './types.ts';

export type { Ability, Page };

export const sees = (me: Me | null, page: Page): boolean => !!me?.abilities.pages[page];
export const can = (me: Me | null, ability: Ability): boolean => !!me?.abilities.can[ability];
