/**
 * Which socket errors are worth retrying, in Node terms, next to what Go's `Temporary()` says
 * (seeds 000 and 001: "an accept loop that continues on temporary errors; a write loop that
 * retries on temporary errors").
 *
 * The decisive difference: Go hands you EAGAIN and EINTR as errors to retry; Node (libuv) retries
 * those itself and never shows them. What reaches a Node program is already final for the socket
 * it happened on. So a retry in Node is always a *new* attempt: dial again (the server may be
 * back), or open a new connection (this one is gone).
 *
 * Pure data and one function, shared by the retrier actor and anything that displays the table.
 */

export type Verdict = 'retry' | 'new-connection' | 'give-up';

export interface ErrorRule {
  code: string;
  /** When it happens. */
  phase: 'dial' | 'connection' | 'listen' | 'accept';
  verdict: Verdict;
  /** Why, in one line. */
  why: string;
  /** What Go's net.Error Temporary() says for the same errno. */
  goTemporary: boolean;
}

export const ERROR_RULES: readonly ErrorRule[] = [
  { code: 'ECONNREFUSED', phase: 'dial', verdict: 'retry', why: 'nobody listens on that port right now (RST to our SYN); a restarting server will be back', goTemporary: false },
  { code: 'ETIMEDOUT', phase: 'dial', verdict: 'retry', why: 'no answer to our SYNs (a full accept queue, a filter, a host that is down); try again later', goTemporary: true },
  { code: 'EHOSTUNREACH', phase: 'dial', verdict: 'retry', why: 'no route or an ICMP unreachable; the network may come back', goTemporary: false },
  { code: 'ENETUNREACH', phase: 'dial', verdict: 'retry', why: 'no route to that network right now', goTemporary: false },
  { code: 'EAI_AGAIN', phase: 'dial', verdict: 'retry', why: 'DNS did not answer in time', goTemporary: true },
  { code: 'ECONNRESET', phase: 'connection', verdict: 'new-connection', why: 'the peer reset this connection (RST): it is gone, bytes in flight may be lost; only a new one can continue', goTemporary: false },
  { code: 'EPIPE', phase: 'connection', verdict: 'new-connection', why: 'we wrote after the peer was gone (it had closed and answered our data with RST)', goTemporary: false },
  { code: 'ECONNABORTED', phase: 'accept', verdict: 'new-connection', why: 'a queued connection was reset before accept(); the listener is fine — Go treats this as temporary for accept', goTemporary: true },
  { code: 'EMFILE', phase: 'accept', verdict: 'retry', why: 'out of file descriptors; the listener still works once some close — Go: temporary', goTemporary: true },
  { code: 'EADDRINUSE', phase: 'listen', verdict: 'give-up', why: 'someone already listens on that address and port; retrying the same bind will not help until they stop', goTemporary: false },
  { code: 'EACCES', phase: 'listen', verdict: 'give-up', why: 'not allowed (ports below 1024 need privileges)', goTemporary: false },
  { code: 'EADDRNOTAVAIL', phase: 'dial', verdict: 'give-up', why: 'that address is not on this machine, or no local port is free', goTemporary: false },
  { code: 'ENOTFOUND', phase: 'dial', verdict: 'give-up', why: 'the name does not resolve', goTemporary: false },
];

const byCode = new Map(ERROR_RULES.map((r) => [r.code, r]));

/** The rule for an error code; unknown codes are not retried (say so rather than loop forever). */
export function classifyError(code: string): ErrorRule {
  return byCode.get(code) ?? { code, phase: 'connection', verdict: 'give-up', why: 'not a known transient error: not retried', goTemporary: false };
}

/** Exponential backoff: base × 2^(attempt-1), capped. attempt starts at 1. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
