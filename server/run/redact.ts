/**
 * Cuts the lab's secrets out of a run's trace. A browser sends the lab's cookie to every port of
 * 127.0.0.1 (cookies are not scoped by port), so an `<img>` pointed at an actor's server puts the
 * token into that server's reads and output, and from there into Save trace and Export HTML.
 * Every trace line passes through here before it is kept, streamed or written.
 *
 * A secret is replaced by as many `*` as it has characters, so byte counts and offsets in the
 * trace stay true. A secret split between two reads or two output chunks is caught too: any run
 * of 10 or more characters of a secret, in the same order, is starred wherever it appears (the
 * first piece of a split cookie ends a read, the second starts the next, and a program's output
 * may quote either).
 */
import { TraceLine } from '../../shared/trace/schema.js';

/** A shorter run of a secret's characters is left alone (too likely to be there by chance). */
const MIN_PIECE = 10;

export class Redactor {
  private readonly secrets: string[];
  private readonly secretBytes: Buffer[];

  constructor(secrets: readonly string[]) {
    // Only secrets that JSON writes as they are (the lab's token is hex) can be found in a line's text.
    this.secrets = [...new Set(secrets)].filter((s) => s.length >= MIN_PIECE && JSON.stringify(s) === `"${s}"`);
    this.secretBytes = this.secrets.map((s) => Buffer.from(s, 'utf8'));
  }

  get active(): boolean { return this.secrets.length > 0; }

  /** `text` with every secret, and every piece of one, starred. */
  text(text: string): string {
    let out = text;
    for (const s of this.secrets) out = starPieces(out, s);
    return out;
  }

  /** The same for base64 bytes (the `head` of reads and writes). */
  base64(b64: string): string {
    const latin = Buffer.from(b64, 'base64').toString('latin1');
    let changed = latin;
    for (const s of this.secretBytes) changed = starPieces(changed, s.toString('latin1'));
    return changed === latin ? b64 : Buffer.from(changed, 'latin1').toString('base64');
  }

  /**
   * A line and its JSON text, redacted. Returns the same objects when there was nothing to cut
   * (the common case costs one `includes` per secret, plus the edge checks on output and heads).
   */
  line(line: TraceLine, json: string): { line: TraceLine; json: string } {
    if (!this.active) return { line, json };
    let next = line;
    // Bytes are base64 in the trace: look at them as bytes.
    if (next.type === 'event' && 'head' in next && typeof next.head === 'string') {
      const head = this.base64(next.head);
      if (head !== next.head) next = { ...next, head };
    }
    const text = next === line ? json : JSON.stringify(next);
    // Everything else is text: a secret's characters need no escaping in JSON, so starring them
    // in the line's JSON keeps it valid, with every string the same length.
    const starred = this.text(text);
    if (starred === text) return { line: next, json: text };
    return { line: TraceLine.parse(JSON.parse(starred)), json: starred };
  }
}

/** Stars every run of at least MIN_PIECE characters of `secret` (in its order) found in `text`. */
function starPieces(text: string, secret: string): string {
  let out = text;
  for (let i = 0; i + MIN_PIECE <= secret.length; i++) {
    const gram = secret.slice(i, i + MIN_PIECE);
    for (let from = 0; ;) {
      const at = out.indexOf(gram, from);
      if (at < 0) break;
      let a = at, b = at + MIN_PIECE, sa = i, sb = i + MIN_PIECE;
      while (a > 0 && sa > 0 && out[a - 1] === secret[sa - 1]) { a--; sa--; }
      while (b < out.length && sb < secret.length && out[b] === secret[sb]) { b++; sb++; }
      out = out.slice(0, a) + '*'.repeat(b - a) + out.slice(b);
      from = b;
    }
  }
  return out;
}
