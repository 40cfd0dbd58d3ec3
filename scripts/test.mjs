#!/usr/bin/env node
// `npm test`: build (actors run from built JavaScript, the UI from dist/web), typecheck, the
// layering check and ESLint, then
// every vitest suite (unit, integration with real sockets, end-to-end in real Chromium). Ends
// with one line of totals, "N passed, N failed", so a run that executed no test cannot pass
// unnoticed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const extra = process.argv.slice(2);
const step = (name, cmd, args) => {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status === 0;
};

let passed = 0;
let failed = 0;
if (!step('build', 'npm', ['run', '--silent', 'build'])) { console.log('\n0 passed, 1 failed'); process.exit(1); }
if (step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) passed++; else failed++;
// The layering: shared/ compiles with only the globals Node and browsers share (no Buffer, no document).
if (step('layering', 'npx', ['tsc', '-p', 'tsconfig.shared.json'])) passed++; else failed++;
if (step('lint', 'npx', ['eslint', '--max-warnings', '0', '.'])) passed++; else failed++;

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
const ok = step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  if (!ok && r.numFailedTests === 0) failed++; // a suite that failed to load still fails the run
  console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped in ${r.numTotalTestSuites} suites`);
} else {
  failed++;
  console.log('\nvitest wrote no report');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
