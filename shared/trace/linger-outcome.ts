/**
 * The outcome of one linger run, computed from its trace: what the writer handed over, where the
 * bytes were when it closed, how long the close blocked it, what the reader got and how it saw
 * the end, what the kernel did with the writer's socket afterwards and what crossed the wire.
 * One function for the observations (server), the comparison table (web) and the tests.
 */
import type { EventOf } from './schema.js';
import type { TraceQuery } from './query.js';

export interface LingerOutcome {
  /** 'destroy()' or 'end()', once the writer called it. */
  closeCall: string | null;
  /** When the close call started and returned (ms since the run started). */
  closeCalledAt: number | null;
  closeReturnedAt: number | null;
  /**
   * How long closing stalled the writer: the longer of the close call itself and the close(2) Node
   * made for it (after end(), Node closes the descriptor later, when the peer has closed too).
   */
  closeBlockedMs: number | null;
  handedToWrite: number;
  nodeQueuedAtClose: number | null;
  kernelSendQAtClose: number | null;
  kernelNotSentAtClose: number | null;
  /** Bytes the kernel had taken from write() by the close (bytes_acked + send queue): exact. */
  kernelTookAtClose: number | null;
  peerRead: number;
  /** When the reader first got data (it resumed reading). */
  readerStartedAt: number | null;
  /**
   * How the reader saw the end: 'EOF' or an error code, and, after an EOF, the error the kernel
   * still held (SO_ERROR): Node can report a reset as EOF (see server/kernel/so-error.ts).
   */
  peerEnd: { how: string; t: number; kernelError?: string } | null;
  /** From the kernel observer; null when the run has no samples of the writer's socket. */
  kernel: { statesAfterClose: string[]; orphanSending: boolean; orphanMaxSendQ: number } | null;
  /** From the capture; null when the run has no packets. Times of each side's first FIN / RST. */
  wire: { writerFin: number | null; writerRst: number | null; readerFin: number | null; readerRst: number | null } | null;
}

type Sample = EventOf<'sample'>;

export function lingerOutcome(q: TraceQuery, writer = 'writer', reader = 'reader'): LingerOutcome {
  const conn = q.first('connect', writer);
  const wPort = conn?.local.port;
  const rPort = conn?.remote.port;
  // The program's own close call: the first end() or destroy() (after end(), Node destroys later itself).
  const d = q.first('destroy', writer);
  const e = q.first('end', writer);
  const callEv = d && e ? (d.t <= e.t ? d : e) : d ?? e;
  const callReport = q.custom('close-call', writer)[0];
  const closeEv = q.first('close', writer);
  const before = q.custom('before-close', writer)[0]?.data as { nodeQueued?: unknown; kernelSendQ?: unknown; kernelNotSent?: unknown; kernelTook?: unknown } | undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);

  const callMs = num(callReport?.data.returnedAfterMs);
  const blocked = callMs === null && closeEv?.blockedMs === undefined ? null : Math.max(callMs ?? 0, closeEv?.blockedMs ?? 0);

  const firstData = q.first('data', reader);
  const eof = q.first('eof', reader);
  const err = q.first('error', reader);
  const soError = q.custom('so-error', reader)[0]?.data.code;
  const end = eof && (!err || eof.t <= err.t)
    ? { how: 'EOF', t: eof.t, ...(typeof soError === 'string' && soError !== 'none' ? { kernelError: soError } : {}) }
    : err ? { how: err.code, t: err.t } : null;

  let kernel: LingerOutcome['kernel'] = null;
  const calledAt = callEv?.t ?? null;
  if (wPort !== undefined) {
    const samples = q.of('sample').filter((s: Sample) => s.local.port === wPort && s.remote.port === rPort);
    if (samples.length > 0) {
      const states: string[] = [];
      let orphanSending = false;
      let orphanMaxSendQ = 0;
      for (const s of samples) {
        if (calledAt === null || s.t < calledAt) continue;
        const orphan = s.inode === 0 && s.state !== 'TIME_WAIT' && s.state !== 'GONE';
        const name = `${s.state}${orphan ? ' (orphan)' : ''}`;
        if (states[states.length - 1] !== name) states.push(name);
        if (orphan && (s.sendQ ?? 0) > 0) { orphanSending = true; orphanMaxSendQ = Math.max(orphanMaxSendQ, s.sendQ ?? 0); }
      }
      kernel = { statesAfterClose: states, orphanSending, orphanMaxSendQ };
    }
  }

  let wire: LingerOutcome['wire'] = null;
  const packets = q.of('packet').filter((p) => wPort !== undefined && ((p.src.port === wPort && p.dst.port === rPort) || (p.src.port === rPort && p.dst.port === wPort)));
  if (packets.length > 0) {
    const firstT = (from: number | undefined, flag: 'FIN' | 'RST') => packets.find((p) => p.src.port === from && p.flags.includes(flag))?.t ?? null;
    wire = { writerFin: firstT(wPort, 'FIN'), writerRst: firstT(wPort, 'RST'), readerFin: firstT(rPort, 'FIN'), readerRst: firstT(rPort, 'RST') };
  }

  return {
    closeCall: typeof callReport?.data.call === 'string' ? callReport.data.call : callEv ? `${callEv.kind}()` : null,
    closeCalledAt: calledAt,
    closeReturnedAt: callReport ? callReport.t : null,
    closeBlockedMs: blocked,
    handedToWrite: q.bytes('write', writer),
    nodeQueuedAtClose: num(before?.nodeQueued),
    kernelSendQAtClose: num(before?.kernelSendQ),
    kernelNotSentAtClose: num(before?.kernelNotSent),
    kernelTookAtClose: num(before?.kernelTook),
    peerRead: q.bytes('data', reader),
    readerStartedAt: firstData?.t ?? null,
    peerEnd: end,
    kernel,
    wire,
  };
}

/** The reset reached the reader: an ECONNRESET error, or an EOF with ECONNRESET left in SO_ERROR. */
export function sawReset(end: LingerOutcome['peerEnd']): boolean {
  return Boolean(end && (end.how === 'ECONNRESET' || end.kernelError === 'ECONNRESET'));
}

/**
 * How the reader should see the end on Linux. Only SO_LINGER {on, 0} with a close that happens
 * while the connection is still open (destroy()) resets it; after end() Node closes the
 * descriptor only when both FINs are through, and a reset of a finished connection sends nothing.
 */
export function expectedEnd(linger: string, close: string): 'EOF' | 'ECONNRESET' {
  return linger === 'zero' && close === 'destroy' ? 'ECONNRESET' : 'EOF';
}
