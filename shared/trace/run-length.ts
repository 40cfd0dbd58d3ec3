/** m:ss for a length of time in ms (3:00, 12:05): a run's length and when it is due to end. */
export function minutesSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
