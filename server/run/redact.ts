/**
 * Cuts the lab's secrets out of a run's trace. A browser sends the lab's cookie to every port of
 * 127.0.0.1 (cookies are not scoped by port), so an `<img>` pointed at an actor's server puts the
 * token into that server's reads and output, and from there into Save trace and Export HTML.
 * Every trace line passes through here before it is kept, streamed or written.
 *
 * A secret is replaced by as many `*` as it has characters, so byte counts and offsets in the
 * trace stay true. A secret split between two reads or two output chunks is caught too: a line
 * that ends with the start of a secret, or starts with its end (8 characters or more), has that
 * part starred.
 */
import type { TraceLine } from '../../shared/trace/schema.js';

/** A shorter piece of a secret at a chunk's edge is left alone (too common to mean anything). */
const MIN_PARTIAL = 8;

export class Redactor {
  private readonly secrets: string[];
  private readonly secretBytes: Buffer[];

  constructor(secrets: readonly string[]) {
    // Only secrets that JSON writes as they are (the lab's token is hex) can be found in a line's text.
    this.secrets = [...new Set(secrets)].filter((s) => s.length >= MIN_PARTIAL && JSON.stringify(s) === `"${s}"`);
    this.secretBytes = this.secrets.map((s) => Buffer.from(s, 'utf8'));
  }

  get active(): boolean { return this.secrets.length > 0; }

  /** `text` with every secret, and every secret cut at its start or end, starred. */
  text(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join('*'.repeat(s.length));
      out = starEdges(out, s);
    }
    return out;
  }

  /** The same for base64 bytes (the `head` of reads and writes). */
  base64(b64: string): string {
    const bytes = Buffer.from(b64, 'base64');
    const latin = bytes.toString('latin1');
    let changed = latin;
    for (const s of this.secretBytes) {
      const l = s.toString('latin1');
      if (changed.includes(l)) changed = changed.split(l).join('*'.repeat(l.length));
      changed = starEdges(changed, l);
    }
    return changed === latin ? b64 : Buffer.from(changed, 'latin1').toString('base64');
  }

  /**
   * A line and its JSON text, redacted. Returns the same objects when there was nothing to cut
   * (the common case costs one `includes` per secret, plus the edge checks on output and heads).
   */
  line(line: TraceLine, json: string): { line: TraceLine; json: string } {
    if (!this.active) return { line, json };
    let next = line;
    if (next.type === 'event') {
      if ('head' in next && typeof next.head === 'string') {
        const head = this.base64(next.head);
        if (head !== next.head) next = { ...next, head };
      }
      if ((next.kind === 'stdout' || next.kind === 'stderr' || next.kind === 'stdin' || next.kind === 'note') && next.text.length >= MIN_PARTIAL) {
        const text = this.text(next.text);
        if (text !== next.text) next = { ...next, text };
      }
    }
    let text = next === line ? json : JSON.stringify(next);
    let whole = false;
    for (const s of this.secrets) if (text.includes(s)) { text = text.split(s).join('*'.repeat(s.length)); whole = true; }
    if (whole) next = JSON.parse(text) as TraceLine; // the same line with equal-length strings: still valid
    return { line: next, json: text };
  }
}

/** Stars a secret's head at the end of `text` and its tail at the start (each at least MIN_PARTIAL long). */
function starEdges(text: string, secret: string): string {
  let out = text;
  for (let n = Math.min(secret.length - 1, out.length); n >= MIN_PARTIAL; n--) {
    if (out.endsWith(secret.slice(0, n))) { out = out.slice(0, out.length - n) + '*'.repeat(n); break; }
  }
  for (let n = Math.min(secret.length - 1, out.length); n >= MIN_PARTIAL; n--) {
    if (out.startsWith(secret.slice(secret.length - n))) { out = '*'.repeat(n) + out.slice(n); break; }
  }
  return out;
}
