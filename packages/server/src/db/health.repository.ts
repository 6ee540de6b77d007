// Whether the database answers (the health check).
import { sql } from 'kysely';
import type { Db } from './database.ts';

export async function ping(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
