/**
 * The experiment registry, by discovery: every folder here with an `index` module whose default
 * export is an experiment named like the folder is one. Adding an experiment is adding its
 * folders (docs/adding-an-experiment.md); no list to edit. Folders without an index (shared
 * helpers such as flow-shared) are not experiments.
 *
 * The order is the catalog's: by `order` (see Experiment), then by id.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Experiment } from './experiment.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// From dist/ this module is .js; under the test runner it is the .ts source.
const ext = path.extname(fileURLToPath(import.meta.url));

async function discover(): Promise<Experiment[]> {
  const found: Experiment[] = [];
  for (const name of readdirSync(here).sort()) {
    const file = path.join(here, name, `index${ext}`);
    if (!existsSync(file)) continue;
    const mod: { default?: Experiment } = await import(pathToFileURL(file).href);
    const exp = mod.default;
    if (!exp || typeof exp.id !== 'string' || !Array.isArray(exp.roles)) throw new Error(`server/experiments/${name}/index: its default export is not an experiment (defineExperiment({...}))`);
    if (exp.id !== name) throw new Error(`server/experiments/${name}/index: the experiment's id is "${exp.id}", but its folder is "${name}": they must be the same`);
    found.push(exp);
  }
  return found.sort((a, b) => (a.order ?? 1000) - (b.order ?? 1000) || a.id.localeCompare(b.id));
}

export const experiments: readonly Experiment[] = await discover();

export function findExperiment(id: string): Experiment | undefined {
  return experiments.find((e) => e.id === id);
}
