// Runs the test files it is given in the order given (node --test sorts them by name), two at a time, with the
// spec reporter; exits non-zero when any test or file fails. Started by scripts/test.mjs under tsx.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2);
const stream = run({ files, concurrency: 2, timeout: 600_000 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
