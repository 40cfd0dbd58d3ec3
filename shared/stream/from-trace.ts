/**
 * The writer's writes and the reader's reads of one connection, taken from a trace: the input of
 * `boundaryStats` for observations, the UI and tests alike.
 */
import type { EventOf, TraceEvent } from '../trace/schema.js';

export interface StreamSides {
  /** Bytes of each write() of the writer's first connected socket, in order. */
  writes: number[];
  /** Bytes of each read of the reader's first accepted socket, in order. */
  reads: number[];
  writeEvents: EventOf<'write'>[];
  readEvents: EventOf<'data'>[];
}

/**
 * One connection's writes (by `writer`, on its first socket that connected) and reads (by
 * `reader`, on its first accepted socket), among the first `upTo` events.
 */
export function streamSides(events: readonly TraceEvent[], writer: string, reader: string, upTo = events.length): StreamSides {
  let writeSock: string | undefined;
  let readSock: string | undefined;
  const writeEvents: EventOf<'write'>[] = [];
  const readEvents: EventOf<'data'>[] = [];
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.actor === writer) {
      if (e.kind === 'connect' && writeSock === undefined) writeSock = e.sock;
      else if (e.kind === 'write' && e.sock === writeSock) writeEvents.push(e);
    } else if (e.actor === reader) {
      if (e.kind === 'accept' && readSock === undefined) readSock = e.sock;
      else if (e.kind === 'data' && e.sock === readSock) readEvents.push(e);
    }
  }
  return { writes: writeEvents.map((e) => e.bytes), reads: readEvents.map((e) => e.bytes), writeEvents, readEvents };
}
