/**
 * The system-wide monotonic clock in microseconds. process.hrtime reads CLOCK_MONOTONIC, which is
 * shared by every process on the machine, so the lab server and all actors agree on it.
 */
export function monoMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
