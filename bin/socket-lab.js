#!/usr/bin/env node
// The `socket-lab` command. The lab is built by `npm install` (the prepare script); say so if not.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('socket-lab is not built yet: run `npm run build` in the project folder.');
  process.exit(2);
}
await import(cli);
