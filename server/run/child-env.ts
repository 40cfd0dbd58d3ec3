/**
 * The environment every process the lab starts gets (actors, tcpdump, ss, ip): an allowlist of
 * the lab's own environment, never all of it. The lab's environment holds its secret
 * (SOCKET_LAB_TOKEN) and whatever else the user's shell exported; an actor is a program on the
 * other side of a socket demo and needs none of that.
 *
 * Passed on: PATH (to find tcpdump, ip, node under `ip netns exec`), HOME, LANG and LC_*, TZ,
 * TMPDIR (where temporary files go), and LAB_NODESTATE_MS (read by the actor runtime,
 * server/actor/runtime.ts). The caller adds what is the child's own (LAB_PARAMS, LAB_ROLE).
 */

/** Names passed on from the lab's environment as they are. */
export const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'LAB_NODESTATE_MS'] as const;

function passes(name: string): boolean {
  return (PASSED_ENV as readonly string[]).includes(name) || /^LC_[A-Z_]+$/.test(name);
}

/** The allowlisted part of `from` (default: the lab's environment) plus `own`. */
export function childEnv(own: Record<string, string> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) if (value !== undefined && passes(name)) env[name] = value;
  return { ...env, ...own };
}
