// The response check finds every property a reply carries that its schema does not declare (the serializer would
// drop it silently), and nothing else.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { undeclared } from './response-check.ts';

const Batch = Type.Object({
  id: Type.String(),
  error: Type.Union([Type.Object({ zh: Type.String(), en: Type.String() }), Type.Null()]),
  rows: Type.Array(Type.Object({ rowNo: Type.Integer(), raw: Type.Unknown() })),
  settings: Type.Record(Type.String(), Type.Unknown()),
});

it('a reply that matches its schema has nothing undeclared, whatever its free-form parts hold', () => {
  const ok = {
    id: 'a',
    error: null,
    rows: [{ rowNo: 2, raw: { any: ['thing'] } }],
    settings: { url: 'x', pageSize: 5 },
  };
  assert.deepEqual(undeclared(ok, Batch), []);
  assert.deepEqual(undeclared({ ...ok, error: { zh: '错', en: 'wrong' } }, Batch), []);
});

it('names each undeclared property by its path, in objects, arrays and nullable unions', () => {
  const bad = {
    id: 'a',
    secret: 'x',
    error: { zh: '错', en: 'wrong', code: 'e1' },
    rows: [
      { rowNo: 2, raw: null },
      { rowNo: 3, raw: null, note: 'n' },
    ],
    settings: {},
  };
  assert.deepEqual(undeclared(bad, Batch).sort(), ['error.code', 'rows[1].note', 'secret']);
  assert.deepEqual(undeclared([{ id: 'a', x: 1 }], Type.Array(Type.Object({ id: Type.String() }))), ['[0].x']);
});

it('an intersection declares what any of its parts does', () => {
  const Created = Type.Intersect([Type.Object({ id: Type.String() }), Type.Object({ token: Type.String() })]);
  assert.deepEqual(undeclared({ id: 'a', token: 't' }, Created), []);
  assert.deepEqual(undeclared({ id: 'a', token: 't', hash: 'h' }, Created), ['hash']);
});
