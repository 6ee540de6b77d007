#!/usr/bin/env node
// The `gongshu` command. TypeScript sources run through tsx (see docs/adr/0002-typescript-at-runtime.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
