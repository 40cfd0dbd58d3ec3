/**
 * The head of an HTTP/1.x request or response (start line, header lines, empty line), as it crosses
 * the wire before a WebSocket's frames. Lines end in CRLF; a bare LF is accepted too (RFC 9112
 * section 2.2 allows recipients to). The head is read as octets (latin1), not UTF-8.
 *
 *   GET /chat HTTP/1.1\r\n                 HTTP/1.1 101 Switching Protocols\r\n
 *   Host: 127.0.0.1:8080\r\n               Upgrade: websocket\r\n
 *   Upgrade: websocket\r\n                 Connection: Upgrade\r\n
 *   Connection: Upgrade\r\n                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n
 *   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n   \r\n
 *   Sec-WebSocket-Version: 13\r\n
 *   \r\n
 *
 * `parseHttpHead(bytes)` parses a head at the start of `bytes`; `HttpHeadScanner` finds the end of
 * a head arriving in chunks (each byte scanned once, at most maxHeadSize bytes held) and hands back
 * where the bytes after it start.
 */
import { Pieces, latin1Decode } from './bytes.js';
import { FramingError } from './types.js';

export const DEFAULT_MAX_HEAD_SIZE = 16384; // Node's default --max-http-header-size

export interface HttpHeader {
  readonly name: string;
  readonly value: string;
}

export interface HttpHead {
  readonly kind: 'http-head';
  readonly type: 'request' | 'response';
  /** The start line, without its line ending. */
  readonly startLine: string;
  /** "HTTP/1.1" */
  readonly version: string;
  /** Request only. */
  readonly method: string | null;
  readonly target: string | null;
  /** Response only. */
  readonly status: number | null;
  readonly reason: string | null;
  /** In wire order, names as sent, values without surrounding whitespace. */
  readonly headers: readonly HttpHeader[];
  /** Bytes of the head including the empty line that ends it. */
  readonly headLength: number;
}

export type HttpHeadParse =
  | { readonly status: 'complete'; readonly head: HttpHead }
  | { readonly status: 'incomplete' }
  | { readonly status: 'error'; readonly error: FramingError };

/** First value of a header, matched case-insensitively; repeated headers are joined with ", ". */
export function getHeader(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  let found: string | undefined;
  for (const h of head.headers) {
    if (h.name.toLowerCase() === lower) found = found === undefined ? h.value : `${found}, ${h.value}`;
  }
  return found;
}

/** Whether a comma-separated header value contains `token` (case-insensitive). */
export function headerHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const t = token.toLowerCase();
  return value.split(',').some((v) => v.trim().toLowerCase() === t);
}

/** Index just past the empty line that ends a head starting at bytes[0], or -1. */
export function findHeadEnd(bytes: Uint8Array): number {
  let prevNl = -1;
  let i = bytes.indexOf(10);
  while (i >= 0) {
    const gap = i - prevNl;
    if (gap === 1 || (gap === 2 && bytes[i - 1] === 13)) return i + 1;
    prevNl = i;
    i = bytes.indexOf(10, i + 1);
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^ ]+) (HTTP\/\d\.\d)$/;
const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;

/**
 * Parses the head at the start of `bytes` (which may continue with a body or frames).
 * `offset` is the stream offset of bytes[0], used in error offsets.
 */
export function parseHttpHead(
  bytes: Uint8Array,
  options?: { maxHeadSize?: number; offset?: number },
): HttpHeadParse {
  const max = options?.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
  const offset = options?.offset ?? 0;
  const end = findHeadEnd(bytes.length > max ? bytes.subarray(0, max) : bytes);
  if (end < 0) {
    if (bytes.length >= max) {
      return {
        status: 'error',
        error: new FramingError('HEAD_TOO_LARGE', `no end of HTTP head within ${max} bytes`, offset, { maxHeadSize: max }),
      };
    }
    return { status: 'incomplete' };
  }
  return parseCompleteHead(bytes.subarray(0, end), offset);
}

function malformed(message: string, offset: number): HttpHeadParse {
  return { status: 'error', error: new FramingError('MALFORMED', message, offset) };
}

/** Parses exactly one complete head (ending with its empty line). */
export function parseCompleteHead(head: Uint8Array, offset: number): HttpHeadParse {
  const text = latin1Decode(head);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  // The head ends with "\n\n": the last two entries are the empty line and what follows it.
  lines.length -= 2;
  const startLine = lines[0] ?? '';
  let result: Omit<HttpHead, 'headers' | 'headLength' | 'kind'>;
  const req = REQUEST_LINE.exec(startLine);
  const res = req === null ? STATUS_LINE.exec(startLine) : null;
  if (req !== null) {
    result = { type: 'request', startLine, method: req[1]!, target: req[2]!, version: req[3]!, status: null, reason: null };
  } else if (res !== null) {
    result = {
      type: 'response',
      startLine,
      version: res[1]!,
      status: Number(res[2]),
      reason: res[3] ?? '',
      method: null,
      target: null,
    };
  } else {
    return malformed(`not an HTTP request or status line: ${JSON.stringify(startLine.slice(0, 80))}`, offset);
  }
  const headers: HttpHeader[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      return malformed(`obsolete line folding in header line ${i}`, offset);
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      return malformed(`bad header line ${i}: ${JSON.stringify(line.slice(0, 80))}`, offset);
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    headers.push({ name, value });
  }
  return { status: 'complete', head: { kind: 'http-head', ...result, headers, headLength: head.length } };
}

export type HttpHeadStep =
  | { readonly status: 'incomplete' }
  | {
      readonly status: 'complete';
      readonly head: HttpHead;
      /** Bytes of this chunk that belonged to the head; what follows is the next protocol's. */
      readonly consumed: number;
      /** Whether the head bytes spanned chunks (and were copied once to parse them). */
      readonly copied: boolean;
    }
  | { readonly status: 'error'; readonly error: FramingError };

/**
 * Finds the end of an HTTP head arriving in chunks. Holds the head's bytes as views (at most
 * maxHeadSize) and scans each byte once.
 */
export class HttpHeadScanner {
  private readonly maxHeadSize: number;
  private readonly startOffset: number;
  private readonly pieces = new Pieces();
  private seen = 0; // head bytes so far
  private prevNl = -1; // head index of the last "\n"
  private lastByte = -1; // the byte before the current chunk
  private done = false;

  constructor(options?: { maxHeadSize?: number; startOffset?: number }) {
    this.maxHeadSize = options?.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE;
    this.startOffset = options?.startOffset ?? 0;
  }

  get bufferedBytes(): number {
    return this.pieces.length;
  }

  /** Head bytes received so far (0 before any). */
  get received(): number {
    return this.seen;
  }

  push(chunk: Uint8Array): HttpHeadStep {
    if (this.done) throw new Error('HttpHeadScanner: push() after the head was complete');
    const n = chunk.length;
    let i = chunk.indexOf(10);
    while (i >= 0) {
      const abs = this.seen + i;
      const gap = abs - this.prevNl;
      const before = i > 0 ? chunk[i - 1] : this.lastByte;
      if (gap === 1 || (gap === 2 && before === 13)) {
        const consumed = i + 1;
        const total = abs + 1;
        if (total > this.maxHeadSize) return this.tooLarge();
        this.done = true;
        let bytes: Uint8Array;
        let copied: boolean;
        if (this.pieces.length === 0) {
          bytes = chunk.subarray(0, consumed);
          copied = false;
        } else {
          bytes = this.pieces.take(this.pieces.length, chunk.subarray(0, consumed));
          copied = this.pieces.lastTakeCopied;
        }
        const parsed = parseCompleteHead(bytes, this.startOffset);
        if (parsed.status !== 'complete') return parsed as HttpHeadStep;
        return { status: 'complete', head: parsed.head, consumed, copied };
      }
      this.prevNl = abs;
      i = chunk.indexOf(10, i + 1);
    }
    this.seen += n;
    if (n > 0) this.lastByte = chunk[n - 1]!;
    if (this.seen > this.maxHeadSize) return this.tooLarge();
    this.pieces.add(chunk);
    return { status: 'incomplete' };
  }

  private tooLarge(): HttpHeadStep {
    this.done = true;
    this.pieces.clear();
    return {
      status: 'error',
      error: new FramingError('HEAD_TOO_LARGE', `no end of HTTP head within ${this.maxHeadSize} bytes`, this.startOffset, {
        maxHeadSize: this.maxHeadSize,
      }),
    };
  }
}
