import type { TraceLine } from '../../shared/trace/schema.js';

/**
 * Whether the run captured packets. Capture needs tcpdump and root / CAP_NET_RAW; outside CI a
 * run without it skips the wire assertions with a message; in CI (root, tcpdump installed by
 * .ci/run) capture being off is a failure.
 */
export function captureOn(lines: readonly TraceLine[], what: string): boolean {
  const header = lines[0];
  const cap = header && header.type === 'header' ? header.capabilities.capture ?? 'absent' : 'no header';
  if (cap === 'on') return true;
  if (process.env.CI === 'true') throw new Error(`packet capture is off in CI (${cap}); CI runs as root with tcpdump, so it must be on`);
  console.warn(`skipping the capture assertions of "${what}": capture ${cap}`);
  return false;
}
