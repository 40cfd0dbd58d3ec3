import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module holding package.json. */
export const projectRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('socket-lab: cannot find the project root (package.json)');
})();

/** Actors always start from built JavaScript, even when the lab itself runs from TypeScript (tests). */
export function actorProgramPath(experimentId: string, program: string): string {
  return path.join(projectRoot, 'dist', 'server', 'experiments', experimentId, program);
}

/** The actor program's TypeScript source, shown in the UI as the code that runs. */
export function actorSourcePath(experimentId: string, program: string): string {
  return path.join(projectRoot, 'server', 'experiments', experimentId, program.replace(/\.js$/, '.ts'));
}

export const webDistDir = path.join(projectRoot, 'dist', 'web');
