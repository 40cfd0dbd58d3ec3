/**
 * What the proxy experiment's client writes, byte for byte, so a check can tell from any read
 * where in the stream it is and whether its bytes are the client's: in the stream workload chunk
 * i (chunkBytes long) starts with ">>>i<<<" padded with dots to 24 bytes, then dots; in the echo
 * workload line n is "line n\n", counted from 0 on each connection. Pure: the client builds its
 * writes with it and the observations compare reads with it.
 */

/** The start of chunk `i`: ">>>i<<<" padded with dots to 24 bytes (cut to chunkBytes). */
export function chunkHead(i: number, chunkBytes: number): string {
  return `>>>${i}<<<`.padEnd(Math.min(chunkBytes, 24), '.').slice(0, chunkBytes);
}

const DOT = 0x2e;

/** Bytes of the client's stream from `offset`, `n` of them (latin1 codes). */
export interface ClientStream {
  byteAt(offset: number): number;
}

export function streamPattern(chunkBytes: number): ClientStream {
  let cached = -1;
  let head = '';
  return {
    byteAt(offset: number): number {
      const i = Math.floor(offset / chunkBytes);
      if (i !== cached) { cached = i; head = chunkHead(i, chunkBytes); }
      const o = offset - i * chunkBytes;
      return o < head.length ? head.charCodeAt(o) : DOT;
    },
  };
}

/** The echo workload's lines on one connection: "line 0\nline 1\n…". */
export function echoPattern(): ClientStream {
  let text = '';
  let next = 0;
  return {
    byteAt(offset: number): number {
      while (text.length <= offset) text += `line ${next++}\n`;
      return text.charCodeAt(offset);
    },
  };
}
