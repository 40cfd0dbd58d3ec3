/** Parses "5s", "1500ms", "2m" or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (examples: 5s, 1500ms, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
  // A zero-length run starts the actors and stops them at once: every observation fails.
  if (ms < 1) throw new Error(`invalid duration "${text}": must be at least 1ms (examples: 5s, 1500ms, 2m)`);
  return ms;
}
