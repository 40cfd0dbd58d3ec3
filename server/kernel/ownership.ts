/**
 * Which of the sockets on a run's ports are the run's own.
 *
 * The kernel observer asks the kernel for every socket whose local or remote port is one of the
 * run's ports (a cheap filter that runs inside the kernel, see inet-diag.ts). That is not the same
 * as "the run's sockets": another program may hold a socket on the same port — a TIME_WAIT left by
 * an earlier program on the listener's port, a client of its own connected to the run's listener.
 * This module decides ownership after the dump, per socket:
 *
 *  1. A socket with an inode (a program holds it) is the run's when one of the run's actor
 *     processes holds that inode: /proc/<pid>/fd/N links read `socket:[inode]`. That includes a
 *     listener's accepted sockets (the actor holds them too).
 *  2. A socket without an inode (TIME_WAIT, an orphan still closing, a connection waiting in an
 *     accept queue, a half-open request) has no holder to ask. It is the run's when
 *       - it is a socket already known to be the run's (same cookie: the kernel keeps a socket's
 *         cookie when it turns into its TIME_WAIT form), or
 *       - its address pair is one the run knows as its own: seen earlier with an owned inode, or
 *         reported by an actor (its `connect` / `accept` event — for a connection that lived and
 *         closed between two samples), or
 *       - it waits in the accept queue of one of the run's listeners (SYN_RECV, or ESTABLISHED /
 *         CLOSE_WAIT before accept()): the listener, and so the run, holds it.
 *     A socket with no inode that is none of these (a foreign TIME_WAIT) is left out, and looked
 *     at again next sample (an actor's report may still be on its way).
 *
 * A verdict sticks to the socket (its cookie) for the socket's life, so a foreign client that
 * closes its end does not become the run's once it lost its inode. The peer of an owned socket is
 * deliberately not enough: the peer of the run's accepted socket may be another program's client.
 *
 * Cost: the steady state is one Set lookup per socket. /proc is read only when a socket with an
 * inode nobody has placed yet appears, at most once per sample; an inode no refresh finds in two
 * samples is foreign from then on (two, because accept() gives a socket its inode a moment before
 * the descriptor appears in the process's table).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { KernelSocket } from './method.js';
import { socketKey } from '../../shared/trace/kernel-view.js';

/** Decides which sockets of one dump are the run's. */
export interface SocketOwner {
  /** The run's own sockets among one dump's `sockets`, in their order. */
  select(sockets: readonly KernelSocket[]): KernelSocket[];
}

interface Endpoint { address: string; port: number }

export interface OwnershipOptions {
  /** Process ids of the run's actors now running: a socket one of them holds is the run's. */
  pids: () => Iterable<number>;
  /** The socket inodes a process holds; default reads /proc/<pid>/fd (tests pass their own). */
  socketInodes?: (pid: number) => number[];
}

export interface OwnershipStats {
  /** Times the actors' descriptor tables were read. */
  refreshes: number;
  /** Time spent reading them (µs, all refreshes). */
  refreshUs: number;
  /** Sockets on the run's ports that were left out as another program's (distinct sockets). */
  foreign: number;
}

/** Accept-queue states: a listener's connection before accept() (and a half-open request). */
const QUEUED = new Set<KernelSocket['state']>(['SYN_RECV', 'NEW_SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT']);
/** Samples an inode may stay unplaced before it counts as another program's. */
const MISSES_TO_FOREIGN = 2;

/** Inodes of the sockets process `pid` holds (empty if it is gone or unreadable). */
export function procSocketInodes(pid: number): number[] {
  const dir = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // exited (ENOENT), or not ours to read
  }
  const out: number[] = [];
  for (const n of names) {
    let link: string;
    try {
      link = readlinkSync(`${dir}/${n}`);
    } catch {
      continue; // closed while we read the directory
    }
    if (link.startsWith('socket:[')) out.push(Number(link.slice(8, -1)));
  }
  return out;
}

/** Why ownership cannot be read from /proc here, or undefined when it can. */
export function procOwnershipUnavailable(): string | undefined {
  try {
    readdirSync('/proc/self/fd');
    return undefined;
  } catch (e) {
    return `cannot read /proc/<pid>/fd (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

const unmapped = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address);
const WILDCARD = new Set(['0.0.0.0', '::', '']);

export class ProcessOwnership implements SocketOwner {
  private readonly socketInodes: (pid: number) => number[];
  /** Inodes the actors held at the last refresh. */
  private ownedInodes = new Set<number>();
  /** Inodes no refresh placed (another program's), while they are in the dump. */
  private foreignInodes = new Set<number>();
  private misses = new Map<number, number>();
  /** Verdicts per socket (cookie, or key where the method gives none), while it is in the dump. */
  private owned = new Set<string>();
  private foreign = new Set<string>();
  /** Address pairs ("key" without a protocol prefix) known to be the run's. */
  private readonly ownKeys = new Set<string>();
  private readonly st: OwnershipStats = { refreshes: 0, refreshUs: 0, foreign: 0 };

  constructor(private readonly opts: OwnershipOptions) {
    this.socketInodes = opts.socketInodes ?? procSocketInodes;
  }

  /** A connection an actor reported (its own side): sockets with this address pair are the run's. */
  addConnection(local: Endpoint, remote: Endpoint): void {
    if (local.port > 0 && remote.port > 0) this.ownKeys.add(socketKey(local, remote));
  }

  stats(): OwnershipStats {
    return { ...this.st };
  }

  select(sockets: readonly KernelSocket[]): KernelSocket[] {
    const verdict: Array<boolean | undefined> = new Array(sockets.length);
    const ids = sockets.map((s) => s.cookie ?? s.key);
    const unplaced: number[] = [];
    const seenInodes = new Set<number>();
    // Pass 1: what is already decided, and sockets held by some process (by inode).
    for (let i = 0; i < sockets.length; i++) {
      const s = sockets[i]!;
      const id = ids[i]!;
      if (this.owned.has(id)) verdict[i] = true;
      else if (this.foreign.has(id)) verdict[i] = false;
      else if (s.inode) {
        seenInodes.add(s.inode);
        if (this.ownedInodes.has(s.inode)) verdict[i] = true;
        else if (this.foreignInodes.has(s.inode)) verdict[i] = false;
        else unplaced.push(i);
      }
    }
    if (unplaced.length > 0) {
      this.refresh();
      for (const i of unplaced) {
        const ino = sockets[i]!.inode!;
        if (this.ownedInodes.has(ino)) {
          verdict[i] = true;
          this.misses.delete(ino);
          continue;
        }
        const m = (this.misses.get(ino) ?? 0) + 1;
        if (m >= MISSES_TO_FOREIGN) {
          this.misses.delete(ino);
          this.foreignInodes.add(ino);
          verdict[i] = false;
        } else this.misses.set(ino, m); // undecided: not written this time, asked again next sample
      }
    }
    // The run's listeners in this dump, for the connections waiting in their accept queues.
    const listeners: Endpoint[] = [];
    for (let i = 0; i < sockets.length; i++) if (verdict[i] && sockets[i]!.state === 'LISTEN') listeners.push(sockets[i]!.local);
    // Pass 2: sockets nobody holds.
    for (let i = 0; i < sockets.length; i++) {
      const s = sockets[i]!;
      if (verdict[i] !== undefined || s.inode) continue;
      const pair = socketKey(s.local, s.remote);
      if (this.ownKeys.has(pair) || (QUEUED.has(s.state) && listeners.some((l) => queuedOn(s.local, l)))) verdict[i] = true;
    }
    // Keep what was decided, for as long as the socket is in the dump.
    const owned = new Set<string>();
    const foreign = new Set<string>();
    const out: KernelSocket[] = [];
    for (let i = 0; i < sockets.length; i++) {
      const s = sockets[i]!;
      if (verdict[i] === true) {
        if (!this.owned.has(ids[i]!)) this.ownKeys.add(socketKey(s.local, s.remote));
        owned.add(ids[i]!);
        out.push(s);
      } else if (verdict[i] === false) {
        if (!this.foreign.has(ids[i]!)) this.st.foreign++;
        foreign.add(ids[i]!);
      }
    }
    this.owned = owned;
    this.foreign = foreign;
    for (const ino of this.foreignInodes) if (!seenInodes.has(ino)) this.foreignInodes.delete(ino);
    for (const ino of this.misses.keys()) if (!seenInodes.has(ino)) this.misses.delete(ino);
    return out;
  }

  /** Re-reads which socket inodes the actors hold. */
  private refresh(): void {
    const t0 = performance.now();
    const inodes = new Set<number>();
    for (const pid of this.opts.pids()) for (const ino of this.socketInodes(pid)) inodes.add(ino);
    this.ownedInodes = inodes;
    this.st.refreshes++;
    this.st.refreshUs += Math.round((performance.now() - t0) * 1000);
  }
}

/** True when a connection with local endpoint `local` can be waiting on listener `l`. */
function queuedOn(local: Endpoint, l: Endpoint): boolean {
  return local.port === l.port && (WILDCARD.has(l.address) || unmapped(local.address) === unmapped(l.address));
}
