// The CSV reader on what district files contain, fed whole and one character at a time (chunk edges).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { csvRecords, type CsvEvent } from './read.csv.ts';

async function parse(text: string, chunk = Infinity, delim = ','): Promise<(string[] | string)[]> {
  async function* chunks() {
    if (chunk === Infinity) yield text;
    else for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const out: (string[] | string)[] = [];
  for await (const batch of csvRecords(chunks(), delim, 1000) as AsyncGenerator<CsvEvent[]>)
    for (const e of batch) out.push('error' in e ? `${e.error}@${e.lines}` : e.record);
  return out;
}

const CASES: [string, string, (string[] | string)[]][] = [
  [
    'plain, CRLF, no final newline',
    'a,b\r\n1,2\r\n3,4',
    [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ],
  ],
  ['BOM and blank line', '\uFEFFa,b\n\n1,2\n', [['a', 'b'], [''], ['1', '2']]],
  [
    'quoted delimiter, doubled quote, line break inside',
    'a,b\n"x,y","say ""hi""\nthere"\n5,6\n',
    [
      ['a', 'b'],
      ['x,y', 'say "hi"\nthere'],
      ['5', '6'],
    ],
  ],
  [
    'quote inside an unquoted field and text after a closing quote are kept',
    'a,b\nok"q,"ab"c\n1,2\n',
    [
      ['a', 'b'],
      ['ok"q', '"ab"c'],
      ['1', '2'],
    ],
  ],
  [
    'empty quoted field and trailing empty field',
    'a,b,c\n"",x,\n',
    [
      ['a', 'b', 'c'],
      ['', 'x', ''],
    ],
  ],
  [
    'unclosed quote ends the file with an error',
    'a,b\n1,2\n3,"open\n4,5\n',
    [['a', 'b'], ['1', '2'], 'unclosed_quote@3'],
  ],
  [
    'Chinese text',
    '姓名,地址\n张三,"宁夏银川市金凤区，北京中路"\n',
    [
      ['姓名', '地址'],
      ['张三', '宁夏银川市金凤区，北京中路'],
    ],
  ],
];

for (const [name, text, want] of CASES) {
  it(`csv: ${name}`, async () => {
    assert.deepEqual(await parse(text), want);
    assert.deepEqual(await parse(text, 1), want, 'one character per chunk');
    assert.deepEqual(await parse(text, 3), want, 'three characters per chunk');
  });
}

it('csv: tab and semicolon delimiters; a record over the size limit is an error', async () => {
  assert.deepEqual(await parse('a\tb\n1\t2\n', Infinity, '\t'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
  assert.deepEqual(await parse('a;b\n"1;x";2\n', 2, ';'), [
    ['a', 'b'],
    ['1;x', '2'],
  ]);
  const big = await parse(`a\n${'x'.repeat(5000)}\n`, 100);
  assert.equal(big.at(-1), 'too_large@2');
});
