// The API's request and reply shapes, taken from the generated OpenAPI types (api.gen.ts) — never written by hand.
import type { paths } from './api.gen.ts';

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Ok<R> = R extends { 200: infer A } ? Json<A> : R extends { 201: infer B } ? Json<B> : never;

/** What `method path` answers on success (200, else 201). */
export type Reply<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch' | 'put' | 'delete' = 'get',
> = paths[P][M] extends {
  responses: infer R;
}
  ? Ok<R>
  : never;

type JsonBody<B> = B extends { content: { 'application/json': infer T } } ? T : never;

/** What `method path` takes as its JSON body. */
export type Body<P extends keyof paths, M extends 'post' | 'patch' | 'put' = 'post'> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? JsonBody<NonNullable<B>>
  : never;
