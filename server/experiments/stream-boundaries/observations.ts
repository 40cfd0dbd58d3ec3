/**
 * What stream-boundaries expects, from the trace: the writer's writes and the reader's reads on
 * the connection between the run's own programs (ownStream), their byte counts, and their bytes
 * where the lab kept them (captureBytes 4096 on both sides).
 */
import type { ObservationSpec } from '../experiment.js';
import { boundaryStats } from '../../../shared/stream/boundaries.js';
import { byteText, compareContent, ownStream } from './sides.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const observations: ObservationSpec[] = [
  {
    id: 'every-byte',
    label: 'The reader got every byte the writer wrote, the same bytes in the same order, and nothing else',
    check: (q) => {
      const s = ownStream(q, 'client', 'server');
      if (!s.writeSock || s.wrote === 0) return { held: false, reached: false, detail: 'the writer has written nothing on its connection to the reader yet' };
      const c = compareContent(s.writes, s.reads);
      const counts = `${plural(s.writes.length, 'write')} of ${s.wrote} B in all; ${plural(s.reads.length, 'read')} of ${s.read} B in all`;
      if (c.firstDiff) {
        const d = c.firstDiff;
        return { held: false, detail: `${counts}; at byte ${d.offset} the writer wrote ${byteText(d.wrote)} and the reader read ${byteText(d.read)}` };
      }
      const same = `the ${c.compared} B the lab kept on both sides are the same, offset by offset`;
      if (s.read > s.wrote) {
        // Until the writer has ended, its last writes may still be on their way into the trace.
        if (!s.writerEnded) return { held: false, reached: false, detail: `${counts} so far (the writer's latest writes are not in the trace yet)` };
        return { held: false, detail: `${counts}: the reader got ${s.read - s.wrote} B more than the writer wrote` };
      }
      if (s.read < s.wrote) {
        if (s.readerEof) return { held: false, detail: `${counts}: the stream ended (FIN) with ${s.wrote - s.read} B never read` };
        return { held: false, reached: false, detail: `${counts}: ${s.wrote - s.read} B still on their way (no FIN yet)` };
      }
      if (c.compared === 0) return { held: false, reached: false, detail: `${counts}, but the lab kept none of the bytes to compare` };
      return { held: true, detail: `${counts}; ${same}` };
    },
  },
  {
    id: 'boundaries-differ',
    label: 'The reads did not line up with the writes (a write split, or writes merged)',
    check: (q) => {
      const str = ownStream(q, 'client', 'server');
      const s = boundaryStats(str.writes.map((e) => e.bytes), str.reads.map((e) => e.bytes));
      const detail = `${plural(s.messages, 'write')} ${s.completeMessages === s.messages ? 'arrived' : `(${s.completeMessages} complete so far) arrived`} as ${plural(s.reads, 'read')}: ` +
        `${s.splitMessages} split across reads${s.splitMessages ? ` (up to ${s.maxReadsPerMessage} reads each)` : ''}, ` +
        `${s.mergedReads} ${s.mergedReads === 1 ? 'read' : 'reads'} carried several writes${s.mergedReads ? ` (up to ${s.maxMessagesPerRead})` : ''}; ${s.exactReads} ${s.exactReads === 1 ? 'read was' : 'reads were'} exactly one write`;
      if (s.messages === 0) return { held: false, reached: false, detail: 'the writer has written nothing yet' };
      // A split or a merge, once read, stays one: it is shown as soon as it happens.
      if (s.splitMessages > 0 || s.mergedReads > 0) return { held: true, detail };
      // Every write read back exactly one per read: the claim is wrong only when no more can come.
      const done = str.writerEnded && str.readerEof && s.completeMessages === s.messages;
      return done ? { held: false, detail } : { held: false, reached: false, detail: `${detail}; not every write has been read yet` };
    },
  },
];
