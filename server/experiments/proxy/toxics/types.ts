/**
 * What a toxic is, in the spirit of toxiproxy (github.com/Shopify/toxiproxy): one small module
 * with its parameters and its behaviour, registered by name (index.ts). A toxic sits on one
 * direction of a proxied connection — upstream (client → server) or downstream (server → client)
 * — and sees every chunk the proxy read from that direction's source before it is written on.
 */

export interface ToxicParamSpec {
  default: number;
  min: number;
  max: number;
  unit: string;
  help: string;
}

export type Direction = 'upstream' | 'downstream';

/** What the proxy gives a toxic instance. */
export interface ToxicEnv {
  direction: Direction;
  /**
   * Ends the whole connection (both sockets): 'end' sends FIN after what is already queued,
   * 'reset' sends RST at once (SO_LINGER 0: resetAndDestroy), discarding what is queued.
   */
  close(how: 'end' | 'reset', why: string): void;
  /** A line for the proxy's pane. */
  log(text: string): void;
  /**
   * Waits `ms` — or less: when the toxic is removed or the connection ends, every pending sleep
   * returns at once, so what a toxic was holding flows on (as toxiproxy flushes on removal).
   */
  sleep(ms: number): Promise<void>;
}

export interface ToxicInstance {
  /**
   * One chunk, read from the source at `arrived` (performance.now()). Call `next` for each piece
   * to pass on and await it (it waits while the destination pushes back); resolve when done with
   * this chunk. Bytes never given to `next` are dropped.
   */
  data(chunk: Buffer, arrived: number, next: (piece: Buffer) => Promise<void>): Promise<void>;
  /** The source sent FIN: resolve when it may be passed on. */
  end?(): Promise<void>;
  /** Removed from the connection, or the connection is gone. */
  stop?(): void;
}

export interface Toxic {
  name: string;
  summary: string;
  /** 0 both directions, 1 upstream (client → server), 2 downstream (server → client). */
  defaultDirection: 0 | 1 | 2;
  params: Record<string, ToxicParamSpec>;
  create(params: Record<string, number>, env: ToxicEnv): ToxicInstance;
}

export function defineToxic(t: Toxic): Toxic {
  return t;
}
