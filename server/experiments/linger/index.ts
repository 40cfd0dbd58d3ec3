import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { lingerOutcome, expectedEnd, sawReset } from '../../../shared/trace/linger-outcome.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'linger',
  title: 'Linger: closing with data still on its way',
  group: 'Closing',
  summary: 'SO_LINGER default, 0 and n seconds, end() versus destroy(): who gets the bytes, FIN or RST, and how long close() blocks.',
  seeds: ['000'],
  params: z.object({
    bytes: z.number().int().min(1).max(16 * 1024 * 1024).default(1024 * 1024).describe('Bytes the writer hands to write() before closing'),
    linger: z.enum(['default', 'zero', 'seconds']).default('default').describe('SO_LINGER on the writer: default = not set (Go SetLinger(-1)); zero = {on, 0 s} (SetLinger(0)); seconds = {on, lingerSeconds} (SetLinger(n))'),
    lingerSeconds: z.number().int().min(1).max(30).default(2).describe('n for linger = seconds'),
    close: z.enum(['destroy', 'end']).default('destroy').describe('How the writer closes: destroy() = close(2) now, like Go’s Close; end() = FIN after Node’s queue, close later'),
    closeAfterMs: z.number().int().min(0).max(10_000).default(500).describe('Time between the last write() and the close call (ms)'),
    pauseMs: z.number().int().min(0).max(30_000).default(3500).describe('How long the reader does not read after accepting (ms)'),
    sndbuf: z.number().int().min(0).max(8 * 1024 * 1024).default(65536).describe('SO_SNDBUF asked for on the writer (Linux doubles it); 0 = kernel default with autotuning, which takes the whole MiB into the kernel'),
    port: z.number().int().min(0).max(65535).default(0).describe('Reader port (0 = any free port)'),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'accepts, does not read for pauseMs, then reads to the end' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'writes `bytes`, then closes with the chosen SO_LINGER and call' },
  ],
  narrative,
  observations: [
    {
      id: 'close-timing',
      label: 'close returned when Linux says: at once, or (SO_LINGER n) after n s or once every byte was acknowledged',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (o.closeBlockedMs === null) return { held: false, detail: 'the writer has not closed yet' };
        const blocked = `${o.closeCall} blocked the writer ${o.closeBlockedMs.toFixed(1)} ms`;
        if (p.linger === 'seconds' && p.close === 'destroy') {
          const n = Number(p.lingerSeconds);
          // Either the linger timer ran out (≥ n s) or everything was acknowledged first (the reader read it).
          const timedOut = o.closeBlockedMs >= n * 1000 - 200;
          const acked = o.readerStartedAt !== null && o.closeReturnedAt !== null && o.readerStartedAt <= o.closeReturnedAt;
          return { held: timedOut || acked, detail: `${blocked}; SO_LINGER ${n} s${timedOut ? ': the timer ran out' : acked ? ': returned once the reader had taken the bytes' : ''}` };
        }
        // Without a linger timeout the call must not wait for the peer: it returns before the reader reads a byte.
        const before = o.readerStartedAt === null || (o.closeReturnedAt !== null && o.closeReturnedAt < o.readerStartedAt);
        return { held: before, detail: `${blocked}, ${before ? 'before' : 'NOT before'} the reader read anything` };
      },
    },
    {
      id: 'peer-end',
      label: 'The reader saw the end the setting predicts: EOF after a FIN, ECONNRESET after an RST',
      check: (q, p) => {
        const o = lingerOutcome(q);
        const want = expectedEnd(String(p.linger), String(p.close));
        if (!o.peerEnd) return { held: false, detail: 'the reader has not seen the end yet' };
        const reset = sawReset(o.peerEnd);
        const saw = `${o.peerEnd.how}${o.peerEnd.kernelError ? ` (the kernel held ${o.peerEnd.kernelError})` : ''}`;
        return { held: want === 'ECONNRESET' ? reset : !reset && o.peerEnd.how === 'EOF', detail: `reader saw ${saw} at ${o.peerEnd.t.toFixed(0)} ms after ${o.peerRead} B (expected ${want === 'ECONNRESET' ? 'a reset' : 'a clean EOF'})` };
      },
    },
    {
      id: 'bytes',
      label: 'Bytes delivered: every byte the kernel had taken (end(): every byte handed to write()); fewer after an RST',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (!o.peerEnd) return { held: false, detail: 'the reader has not finished yet' };
        const detail = `handed to write() ${o.handedToWrite} B, the kernel had taken ${o.kernelTookAtClose ?? '?'} B at close, reader read ${o.peerRead} B`;
        if (expectedEnd(String(p.linger), String(p.close)) === 'ECONNRESET') return { held: o.peerRead < o.handedToWrite, detail: `${detail} — ${o.handedToWrite - o.peerRead} B lost` };
        if (p.close === 'end') return { held: o.peerRead === o.handedToWrite, detail };
        if (o.kernelTookAtClose === null) return { held: false, detail: `${detail} (the kernel's count is unknown)` };
        return { held: o.peerRead === o.kernelTookAtClose, detail: `${detail}${o.handedToWrite > o.kernelTookAtClose ? ` — destroy() threw away the ${o.handedToWrite - o.kernelTookAtClose} B Node still held` : ''}` };
      },
    },
    {
      id: 'afterlife',
      label: 'After close the kernel kept the writer’s socket as the setting predicts (orphan sending on; gone at once after RST)',
      check: (q, p) => {
        const o = lingerOutcome(q);
        if (!o.kernel) return { held: false, detail: 'no kernel samples in this run (kernel view off)' };
        if (o.closeReturnedAt === null) return { held: false, detail: 'the writer has not closed yet' };
        const seen = o.kernel.statesAfterClose.join(' → ') || 'nothing';
        if (expectedEnd(String(p.linger), String(p.close)) === 'ECONNRESET') {
          return { held: !o.kernel.orphanSending, detail: `writer's socket after close: ${seen}` };
        }
        if (p.close === 'destroy' && (o.kernelSendQAtClose ?? 0) > 0) {
          return { held: o.kernel.orphanSending, detail: `writer's socket after close: ${seen}${o.kernel.orphanSending ? `; orphaned with ${o.kernel.orphanMaxSendQ} B still to send` : ''}` };
        }
        return { held: o.kernel.statesAfterClose.length > 0, detail: `writer's socket after close: ${seen}` };
      },
    },
  ],
  defaultDurationMs: 20_000,
  endWhenAllExit: true,
});
