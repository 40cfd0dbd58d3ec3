/** A token bucket: at most `perSecond` units a second, with bursts up to `burst` (default `perSecond`). */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly perSecond: number, private readonly burst = perSecond) { this.tokens = burst; }

  take(n: number): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }
}
