// A grant's filter over a row as it was (the change feed decides with it whether a row it no longer serves was
// served before): SQL's answers, NULL included.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { meets, type Condition } from './serve.types.ts';

const numeric = (c: string) => c === 'age' || c === 'amount';
const row = { street: '长城中路街道', age: 72, amount: '1200.50', name: null };

it('compares numbers as numbers and text as text, with SQL’s NULL', () => {
  const cases: [Condition, boolean | null][] = [
    [{ op: 'cmp', item: 'age', cmp: '>=', value: '60' }, true],
    [{ op: 'cmp', item: 'age', cmp: '>=', value: '100' }, false],
    [{ op: 'cmp', item: 'amount', cmp: '>', value: '999.9' }, true], // as text '1200.50' < '999.9'
    [{ op: 'cmp', item: 'street', cmp: '=', value: '长城中路街道' }, true],
    [{ op: 'cmp', item: 'name', cmp: '=', value: '张' }, null],
    [{ op: 'not', arg: { op: 'cmp', item: 'name', cmp: '=', value: '张' } }, null],
    [{ op: 'null', item: 'name', negated: false }, true],
    [{ op: 'in', item: 'street', values: ['阅海街道', '长城中路街道'], negated: false }, true],
    [{ op: 'in', item: 'street', values: ['阅海街道'], negated: true }, true],
    [{ op: 'between', item: 'age', low: '60', high: '80' }, true],
    [{ op: 'prefix', item: 'street', value: '长城' }, true],
    [
      {
        op: 'and',
        args: [
          { op: 'cmp', item: 'age', cmp: '>=', value: '60' },
          { op: 'cmp', item: 'name', cmp: '=', value: '张' },
        ],
      },
      null,
    ],
    [
      {
        op: 'or',
        args: [
          { op: 'cmp', item: 'age', cmp: '>=', value: '60' },
          { op: 'cmp', item: 'name', cmp: '=', value: '张' },
        ],
      },
      true,
    ],
    [{ op: 'and', args: [] }, true],
    [{ op: 'or', args: [] }, false],
  ];
  for (const [c, want] of cases) assert.equal(meets(c, row, numeric), want, JSON.stringify(c));
});
