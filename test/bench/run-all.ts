/**
 * `npm run bench`: runs every benchmark in one process, one after the other (they share this
 * 2-core machine, so never in parallel), and prints each one's figures and ratios side by side.
 * `npm run bench -- observer` runs only the named ones.
 */
const BENCHES = ['foundation', 'observer', 'codecs', 'flow', 'flow-ui', 'pipeline', 'replay', 'boundaries', 'capture', 'soak'];

const only = process.argv.slice(2);
const results: Record<string, unknown> = {};
for (const name of BENCHES) {
  if (only.length && !only.includes(name)) continue;
  let mod: { run: () => Promise<Record<string, unknown>> };
  try {
    mod = await import(`./${name}.bench.js`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`${name}.bench.js`)) continue;
    throw err;
  }
  console.log(`\n# ${name}`);
  results[name] = await mod.run();
}
console.log(`\nbenchmarks run: ${Object.keys(results).join(', ')}`);
process.exit(0);
