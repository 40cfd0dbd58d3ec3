/**
 * Logs a failure once: the first time a message is seen it is printed, repeats are only counted
 * (a fuzzer or a broken page can send the same bad request thousands of times). The lab's
 * secrets are cut out of every line before it is printed.
 */
export class OnceLog {
  private readonly seen = new Map<string, number>();
  constructor(private readonly secrets: readonly string[], private readonly print: (line: string) => void = (l) => console.error(l), private readonly maxKinds = 200) {}

  log(message: string): void {
    let text = message;
    for (const s of this.secrets) if (s) text = text.split(s).join('[token]');
    const n = this.seen.get(text);
    if (n !== undefined) { this.seen.set(text, n + 1); return; }
    if (this.seen.size >= this.maxKinds) return;
    this.seen.set(text, 1);
    this.print(text);
  }

  /** How many times each message came (for a test or a status page). */
  counts(): ReadonlyMap<string, number> { return this.seen; }
}
