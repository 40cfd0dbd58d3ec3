/**
 * One strip of messages over one strip of reads along a shared byte axis (the stream-boundaries
 * picture), for two lists of sizes: a read that covers several messages is drawn amber. Used by
 * the udp panel to put datagrams and TCP writes side by side.
 */
import { readsAgainst } from '../../shared/stream/boundaries.js';

const W = 1000;
const LEFT = 88;

export function BoundaryStrip({ writes, reads, writesLabel, readsLabel }: { writes: number[]; reads: number[]; writesLabel: string; readsLabel: string }) {
  const total = Math.max(writes.reduce((a, b) => a + b, 0), reads.reduce((a, b) => a + b, 0), 1);
  const x = (o: number) => LEFT + ((W - LEFT - 4) * o) / total;
  let at = 0;
  const msgs = writes.map((n, i) => { const r = { i, start: at, end: at + n }; at += n; return r; });
  const per = readsAgainst(writes, reads);
  return (
    <svg viewBox={`0 0 ${W} 84`} className="btcp-strip" role="img" aria-label={`${writesLabel} / ${readsLabel}`}>
      <text x={4} y={24} className="lane">{writesLabel}</text>
      <text x={4} y={66} className="lane">{readsLabel}</text>
      {msgs.map((m) => (
        <g key={`w${m.i}`}>
          <rect className={`w${m.i % 2}`} x={x(m.start)} y={8} width={Math.max(0.5, x(m.end) - x(m.start) - 1)} height={26} />
          {x(m.end) - x(m.start) > 26 && <text className="in" x={(x(m.start) + x(m.end)) / 2} y={26}>#{m.i}</text>}
        </g>
      ))}
      {per.map((r, i) => (
        <g key={`r${i}`}>
          <rect className={r.pieces.length > 1 ? 'merged' : `r${i % 2}`} x={x(r.start)} y={50} width={Math.max(0.5, x(r.start + r.bytes) - x(r.start) - 1)} height={26} />
          {x(r.start + r.bytes) - x(r.start) > 40 && <text className="in" x={x(r.start) + (x(r.start + r.bytes) - x(r.start)) / 2} y={68}>{r.bytes} B</text>}
        </g>
      ))}
    </svg>
  );
}
