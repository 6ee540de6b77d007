// A store for @fastify/rate-limit that keeps its counters in the platform database (rate-limit.repository.ts):
// a limit of 30 log-ins a minute is 30 across every app node, not 30 on each.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Db } from '../db/database.ts';
import { countRequest, readCount } from './rate-limit.repository.ts';

type Reply = (err: Error | null, res?: { current: number; ttl: number }) => void;

type Params = { routeInfo?: { method?: unknown; url?: unknown } } | undefined;

export function databaseRateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  return class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly prefix: string;
    /** @fastify/rate-limit constructs the store with its settings; a route's child gets the route in them. */
    constructor(params?: unknown) {
      const r = (params as Params)?.routeInfo;
      this.prefix = r?.url ? `${[r.method].flat().join(',')} ${String(r.url)}|` : 'global|';
    }
    incr(key: string, reply: Reply, timeWindow: number): void {
      countRequest(db, this.prefix + key, timeWindow).then(
        (r) => reply(null, r),
        (e: Error) => reply(e),
      );
    }
    read(key: string, reply: Reply): void {
      readCount(db, this.prefix + key).then(
        (r) => reply(null, r),
        (e: Error) => reply(e),
      );
    }
    // typed as route options; @fastify/rate-limit passes the route's merged settings, with the route in routeInfo
    child(params: unknown): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(params);
    }
  };
}
