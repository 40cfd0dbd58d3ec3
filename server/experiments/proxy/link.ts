/**
 * One direction of a proxied connection: io.Copy(dst, io.TeeReader(src, monitor)) with toxics in
 * between. The source is read into a small queue (32 KiB, Go's io.Copy buffer size) and paused
 * when it is full; a single consumer takes the chunks in order through the toxics and writes them
 * to the destination, waiting for 'drain' whenever write() returns false. So a destination that
 * does not read stops the consumer, the queue fills, the source is no longer read, and its
 * kernel queues fill in turn: backpressure passes through the proxy.
 */
import type net from 'node:net';
import type { Direction, ToxicInstance } from './toxics/types.js';

/** Bytes read from the source and not yet written on, before the source is paused. */
export const QUEUE_LIMIT = 32 * 1024;

type Item = { chunk: Buffer; arrived: number } | { end: true };

export interface LinkHooks {
  /** Every chunk read from the source (the tee). */
  tee(chunk: Buffer): void;
  log(text: string): void;
}

export class Link {
  private readonly queue: Item[] = [];
  private queued = 0;
  private pumping = false;
  private readonly toxics = new Map<string, { instance: ToxicInstance; wake: Set<() => void> }>();
  private done = false;

  constructor(readonly direction: Direction, private readonly src: net.Socket, private readonly dst: net.Socket, private readonly hooks: LinkHooks) {
    src.on('data', (chunk: Buffer) => {
      hooks.tee(chunk);
      this.queue.push({ chunk, arrived: performance.now() });
      this.queued += chunk.length;
      if (this.queued >= QUEUE_LIMIT) src.pause();
      void this.pump();
    });
    src.on('end', () => {
      this.queue.push({ end: true });
      void this.pump();
    });
  }

  /** A sleep that ends early when the toxic is removed or the link stops. */
  sleeper(name: string): (ms: number) => Promise<void> {
    return (ms) => new Promise((resolve) => {
      const entry = this.toxics.get(name);
      if (!entry || this.done) { resolve(); return; }
      const wake = () => { clearTimeout(timer); entry.wake.delete(wake); resolve(); };
      const timer = setTimeout(wake, ms);
      entry.wake.add(wake);
    });
  }

  /** Puts a toxic on this direction (replacing one of the same name), or takes it off (null). */
  setToxic(name: string, make: ((sleep: (ms: number) => Promise<void>) => ToxicInstance) | null): void {
    const old = this.toxics.get(name);
    if (old) {
      this.toxics.delete(name);
      old.instance.stop?.();
      for (const w of [...old.wake]) w();
    }
    if (make && !this.done) {
      const entry = { instance: undefined as unknown as ToxicInstance, wake: new Set<() => void>() };
      this.toxics.set(name, entry);
      entry.instance = make(this.sleeper(name));
    }
  }

  /** The connection is over: every toxic stops, every sleep ends. */
  stop(): void {
    this.done = true;
    for (const name of [...this.toxics.keys()]) this.setToxic(name, null);
  }

  private write(piece: Buffer): Promise<void> {
    if (piece.length === 0 || this.dst.destroyed || this.dst.writableEnded) return Promise.resolve();
    if (this.dst.write(piece)) return Promise.resolve();
    return new Promise((resolve) => {
      const go = () => { this.dst.off('drain', go); this.dst.off('close', go); resolve(); };
      this.dst.on('drain', go);
      this.dst.on('close', go);
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        // The toxics in force for this chunk, in the order they were switched on.
        const chain = [...this.toxics.values()].map((e) => e.instance);
        if ('end' in item) {
          for (const t of chain) if (t.end) await t.end();
          if (!this.dst.destroyed) this.dst.end();
          continue;
        }
        const { chunk, arrived } = item;
        const run = (i: number, piece: Buffer): Promise<void> => (i === chain.length ? this.write(piece) : chain[i]!.data(piece, arrived, (p) => run(i + 1, p)));
        await run(0, chunk);
        this.queued -= chunk.length;
        if (this.queued < QUEUE_LIMIT && this.src.isPaused() && !this.src.destroyed) this.src.resume();
      }
    } catch (err) {
      // A toxic that fails must not take the proxy down: say so and end this connection.
      this.hooks.log(`${this.direction}: ${(err as Error).message}; closing the connection`);
      this.src.destroy();
      this.dst.destroy();
    } finally {
      this.pumping = false;
    }
  }
}
