/**
 * A peer that can vanish: one actor runs in a network namespace of its own, joined to this one
 * by a veth pair, and the lab can take the pair's far end down. On loopback a peer always
 * answers (the kernel itself replies for it even after its program died), so "the other machine
 * went away" needs a link that can stop carrying packets.
 *
 *   this namespace (the lab, the observed actor)          namespace slk-<pid>-<n>
 *   veth slk…r  198.18.X.Y+1/30  <==== veth pair ====>  veth slk…n  198.18.X.Y+2/30  (the peer)
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544, reserved for benchmarking: never routed on the
 * Internet), one unused /30 per run, and exist only on the two ends of the pair. The observed
 * actor stays in the lab's namespace because the kernel observer (sock_diag) sees only the
 * sockets of the namespace it runs in.
 *
 * Root only (CAP_NET_ADMIN). Without it the fixture says why it is off and the actors run on
 * loopback. Cleanup is guaranteed three ways: stop() deletes what start() made (after the run has
 * ended every actor); a failed setup removes its partial work; and every start sweeps leftovers of
 * labs that died without cleaning up — names carry the creating process's pid, and a leftover
 * whose pid is gone is deleted (a live lab's namespaces are never touched).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Fixture } from '../experiments/experiment.js';
import type { RunContext } from '../run/plugin.js';
import { childEnv } from '../run/child-env.js';

const run = promisify(execFile);
const IP = 'ip';

/** Namespace names: slk-<pid>-<n>. */
const NS_RE = /^slk-(\d+)-(\d+)$/;
/** veth names (at most 15 characters): slk<pid base 36>x<n base 36> + r (this side) or n (the peer's). */
const LINK_RE = /^slk([0-9a-z]+)x([0-9a-z]+)[rn]$/;

let counter = 0;

async function ip(args: string[]): Promise<string> {
  const { stdout } = await run(IP, args, { timeout: 5000, env: childEnv() });
  return stdout;
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Why namespaces cannot be made here, or undefined when they can. */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces are a Linux feature (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root (CAP_NET_ADMIN) to create a network namespace and a veth pair; the lab is not running as root';
  try { await ip(['netns', 'list']); } catch (e) { return `"ip netns" is not available (iproute2): ${(e as Error).message.split('\n')[0]}`; }
  return undefined;
}

/** Delete namespaces and veths left by labs that are no longer running. Returns what it removed. */
export async function sweepLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  const nsList = await ip(['netns', 'list']).catch(() => '');
  for (const line of nsList.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const m = NS_RE.exec(name);
    if (m && !pidAlive(Number(m[1]))) {
      await ip(['netns', 'del', name]).then(() => removed.push(name), () => {});
    }
  }
  const links = await ip(['-o', 'link', 'show']).catch(() => '');
  for (const line of links.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '';
    const m = LINK_RE.exec(name);
    if (m && !pidAlive(parseInt(m[1]!, 36))) {
      await ip(['link', 'del', name]).then(() => removed.push(name), () => {});
    }
  }
  return removed;
}

/** An unused 198.18.X.Y/30: the lab's side gets .Y+1, the peer .Y+2. */
async function freeSubnet(seed: number): Promise<{ mine: string; peer: string }> {
  const used = await ip(['-o', '-4', 'addr', 'show']).catch(() => '');
  for (let i = 0; i < 16384; i++) {
    const block = (seed + i) % 16384; // 198.18.0.0/16 holds 256 x 64 blocks of 4 addresses
    const x = block >> 6;
    const y = (block & 63) * 4;
    const prefix = `198.18.${x}.`;
    if (![1, 2].some((k) => used.includes(` ${prefix}${y + k}/`))) return { mine: `${prefix}${y + 1}`, peer: `${prefix}${y + 2}` };
  }
  throw new Error('no free /30 in 198.18.0.0/16');
}

export interface VanishingPeerOptions {
  /** Whether this run wants the namespace at all (e.g. params.peer === 'vanishing'). */
  wanted: boolean;
  /** The role that runs inside the namespace. */
  roleInside: string;
  /** Parameter name under which the actors get the peer's address. */
  hostParam: string;
  /** Take the link down by itself this long after the connection appeared (0 = only by the control). */
  cutAtMs: number;
}

/** The fixture (a run plugin) for an experiment with a peer that can vanish. */
export function vanishingPeer(o: VanishingPeerOptions): Fixture {
  let ns: string | undefined;
  let mineLink: string | undefined;
  let peerLink: string | undefined;
  let addrs: { mine: string; peer: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cut = false;

  const cleanup = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Deleting the namespace destroys the veth inside it, and a veth pair dies with either end.
    if (ns) await ip(['netns', 'del', ns]).catch(() => {});
    if (mineLink) await ip(['link', 'del', mineLink]).catch(() => { /* already gone with its peer */ });
    ns = mineLink = peerLink = undefined;
    addrs = undefined;
  };

  const takeDown = async (): Promise<string> => {
    if (!ns || !peerLink) throw new Error('no namespace in this run (the peer runs on loopback)');
    if (cut) return 'the link is already down';
    await ip(['-n', ns, 'link', 'set', 'dev', peerLink, 'down']);
    cut = true;
    return `took the peer's link down (ip -n ${ns} link set dev ${peerLink} down): from now on nothing reaches ${addrs?.peer} and nothing comes back — no FIN, no RST, silence`;
  };

  return {
    name: 'netns',
    async start(c: RunContext): Promise<string> {
      if (!o.wanted) return 'not used: the peer is on loopback';
      const why = await netnsUnavailable();
      if (why) {
        c.append({ actor: 'lab', kind: 'note', level: 'warn', text: `The vanishing peer cannot run: ${why}. The actors run on loopback instead, where the peer always answers.` });
        return `off: ${why}`;
      }
      const swept = await sweepLeftovers();
      if (swept.length) c.append({ actor: 'lab', kind: 'note', level: 'info', text: `removed leftovers of a lab that died: ${swept.join(', ')}` });
      const n = counter++;
      const tag = `slk${process.pid.toString(36)}x${n.toString(36)}`;
      try {
        addrs = await freeSubnet(process.pid * 7 + n);
        ns = `slk-${process.pid}-${n}`;
        await ip(['netns', 'add', ns]);
        mineLink = `${tag}r`;
        await ip(['link', 'add', mineLink, 'type', 'veth', 'peer', 'name', `${tag}n`]);
        peerLink = `${tag}n`;
        await ip(['link', 'set', peerLink, 'netns', ns]);
        await ip(['addr', 'add', `${addrs.mine}/30`, 'dev', mineLink]);
        await ip(['link', 'set', mineLink, 'up']);
        await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
        await ip(['-n', ns, 'addr', 'add', `${addrs.peer}/30`, 'dev', peerLink]);
        await ip(['-n', ns, 'link', 'set', peerLink, 'up']);
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0];
        await cleanup();
        c.append({ actor: 'lab', kind: 'note', level: 'error', text: `could not set up the namespace (${msg}); the actors run on loopback instead` });
        return `off: setup failed: ${msg}`;
      }
      c.append({ actor: 'lab', kind: 'note', level: 'info', text: `namespace ${ns}: the ${o.roleInside} runs at ${addrs.peer}, reached through veth ${mineLink} (${addrs.mine}) <-> ${peerLink}` });
      // The clock starts when a connection exists (the run's second port: the listener's comes
      // first), so a slow start cannot make the cut come before the connection.
      let ports = 0;
      if (o.cutAtMs > 0) c.onPort(() => {
        if (++ports !== 2 || cut) return;
        timer = setTimeout(() => {
          c.append({ actor: 'lab', kind: 'control', command: 'cut', args: { atMs: o.cutAtMs } });
          takeDown().then((did) => c.append({ actor: 'lab', kind: 'note', level: 'info', text: did }),
            (err: Error) => c.append({ actor: 'lab', kind: 'note', level: 'error', text: `cut: ${err.message}` }));
        }, o.cutAtMs);
      });
      return `on: ${ns}, peer ${addrs.peer}`;
    },
    actorParams: () => (addrs ? { [o.hostParam]: addrs.peer } : {}),
    launcher: (role) => (ns && role === o.roleInside ? [IP, 'netns', 'exec', ns] : undefined),
    command: (command) => {
      if (command !== 'cut') throw new Error(`unknown lab command "${command}"`);
      if (timer) { clearTimeout(timer); timer = undefined; }
      return takeDown();
    },
    async stop() {
      await cleanup();
    },
  };
}
