/**
 * A real lab process (`node dist/server/cli.js serve --port 0`), as a user starts it, and what is
 * left of it: its processes in /proc, listening sockets, temporary directories.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/run/paths.js';
import { eventually } from './processes.js';

export interface LabProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  token: string;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (then SIGKILL after a bound) unless it has exited already. */
  close(): Promise<void>;
}

/** Starts the lab with `env` added to this process's environment; resolves once it prints its URL. */
export async function startLabProcess(env: Record<string, string> = {}): Promise<LabProcess> {
  const token = env.SOCKET_LAB_TOKEN ?? `faults-${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/server/cli.js'), 'serve', '--port', '0'], {
    env: { ...process.env, ...env, SOCKET_LAB_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => { done = true; });
  if (!(await eventually(() => done || /http:\/\/127\.0\.0\.1:\d+/.test(out), 15_000))) {
    child.kill('SIGKILL');
    throw new Error(`the lab did not print its URL: ${out}`);
  }
  if (done) throw new Error(`the lab exited at start: ${out}`);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return {
    child, pid: child.pid!, port, token, exited, output: () => out,
    close: async () => {
      if (done) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface ProcInfo { pid: number; ppid: number; comm: string; cmdline: string }

/** Every process on the machine (from /proc; zombies left out). */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses; it ends at the last ')'.
      const close = stat.lastIndexOf(')');
      const [state, ppid] = stat.slice(close + 2).split(' ');
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(name), ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close), cmdline });
    } catch { /* it exited while we looked */ }
  }
  return out;
}

/** Processes below `pid` (children, their children, ...). */
export function descendants(pid: number): ProcInfo[] {
  const all = processes();
  const found: ProcInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) if (parents.has(p.ppid) && !parents.has(p.pid)) { parents.add(p.pid); found.push(p); grew = true; }
  }
  return found;
}

/** Whether a process is an actor (started from dist/server/experiments) or a tcpdump. */
export const isActor = (p: ProcInfo) => p.cmdline.includes(path.join('dist', 'server', 'experiments'));
export const isTcpdump = (p: ProcInfo) => p.comm === 'tcpdump' || /(^|\/)tcpdump\b/.test(p.cmdline);

/** Actors and tcpdumps among these pids still running (wherever they were reparented to). */
export function survivors(pids: readonly number[]): ProcInfo[] {
  const want = new Set(pids);
  return processes().filter((p) => want.has(p.pid));
}

/**
 * Listening sockets (TCP or Unix) held by one of these pids, on one of these TCP ports, or on a
 * Unix path under one of these directories (from `ss -Hltxnp`).
 */
export function listeningSockets(o: { pids?: readonly number[]; ports?: readonly number[]; under?: readonly string[] }): string[] {
  const out = execFileSync('ss', ['-Hltxnp'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    if (!line.trim()) return false;
    const cols = line.trim().split(/\s+/);
    const local = cols[4] ?? '';
    if (o.pids?.some((p) => line.includes(`pid=${p},`))) return true;
    if (cols[0] === 'tcp' && o.ports?.includes(Number(local.slice(local.lastIndexOf(':') + 1)))) return true;
    if (cols[0] === 'u_str' && o.under?.some((d) => local.startsWith(`${d}/`))) return true;
    return false;
  });
}

/** The environment a process was started with (/proc/<pid>/environ), as NAME=value strings. */
export function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
}
