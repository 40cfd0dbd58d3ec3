/**
 * Temporary directories of runs (the unix experiment's socket directory): named with the lab's
 * process id, `<tmpdir>/socket-lab-<pid>-<kind>-XXXXXX`, so that any lab can tell whose a
 * directory is. They are removed
 *
 * - when the run ends, whatever ended it (the fixture's stop, server/run/run.ts);
 * - when the lab exits without a run getting to end (SIGINT/SIGTERM past the shutdown bound, an
 *   uncaught exception, process.exit): synchronously, from the process 'exit' event;
 * - after a crash or kill -9 of the lab, when nothing of it could run: the next lab start
 *   (`socket-lab serve`, `socket-lab run`) sweeps every directory whose lab pid is no longer
 *   alive. A live lab's directories are never touched: two labs may run at once.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** socket-lab-<pid>-<kind>-<random>: the pid of the lab that made it. */
const OWNED_RE = /^socket-lab-(\d+)-[a-z]+-[A-Za-z0-9]{6}$/;
/** The name used before directories carried the lab's pid: swept once older than any run can be. */
const LEGACY_RE = /^socket-lab-unix-[A-Za-z0-9]{6}$/;
const LEGACY_MAX_AGE_MS = 60 * 60_000;

const live = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => { for (const dir of live) removeQuietly(dir); });
}

function removeQuietly(dir: string): void {
  try { rmSync(dir, { recursive: true, force: true }); } catch { /* gone already, or not ours to remove */ }
}

/** Makes a run's temporary directory, owned by this process; remove it with removeTempDir. */
export function makeTempDir(kind: string): string {
  installExitHook();
  const dir = mkdtempSync(path.join(tmpdir(), `socket-lab-${process.pid}-${kind}-`));
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  removeQuietly(dir);
  live.delete(dir);
}

/** Directories this process made and has not removed yet (for tests). */
export function liveTempDirs(): string[] {
  return [...live];
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Removes the temporary directories of labs that are no longer running; returns their paths. */
export function sweepTempLeftovers(dir: string = tmpdir(), now = Date.now()): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    const owned = OWNED_RE.exec(name);
    const full = path.join(dir, name);
    let stale = false;
    if (owned) stale = !pidAlive(Number(owned[1]));
    else if (LEGACY_RE.test(name)) {
      try { stale = now - statSync(full).mtimeMs > LEGACY_MAX_AGE_MS; } catch { stale = false; }
    }
    if (!stale) continue;
    try { rmSync(full, { recursive: true, force: true }); removed.push(full); } catch { /* another user's, or just removed */ }
  }
  return removed;
}
