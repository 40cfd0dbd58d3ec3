/**
 * Which hosts an experiment may connect to on the user's behalf.
 *
 * The lab runs programs for a browser. An experiment that connects wherever a parameter says
 * (tcp-ping, a raw client) would turn a web page holding the token into a port scanner of the
 * user's network. So: loopback only, unless the person who started the lab named more hosts on
 * its command line (`--allow-target host`, repeatable). A browser cannot add to that list, and
 * names are compared as text, never resolved here (a DNS name that resolves to something else
 * later is still only the name that was allowed).
 */
import net from 'node:net';

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z and the name "localhost". */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    if (h === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return Boolean(mapped && mapped[1]!.startsWith('127.'));
  }
  return false;
}

/** Why `host` may not be a target, or undefined when it may. */
export function targetRefusal(host: string, allowTargets: readonly string[]): string | undefined {
  const h = host.trim().toLowerCase();
  if (h === '') return 'the target host is empty';
  if (!/^[a-z0-9.:_-]+$/.test(h)) return `"${host}" is not a host name or IP address`;
  if (isLoopback(h)) return undefined;
  if (allowTargets.some((a) => a.trim().toLowerCase() === h)) return undefined;
  return `target "${host}" is not allowed: experiments connect to loopback only (127.0.0.1, ::1, localhost) unless the lab was started with --allow-target ${host} (so a web page cannot use the lab to probe your network)`;
}
