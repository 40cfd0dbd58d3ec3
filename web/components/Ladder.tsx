import { useEffect, useRef } from 'react';
import type { TraceEvent } from '../../shared/trace/schema.js';
import { ladderModel } from '../../shared/trace/ladder.js';
import { t } from '../i18n/index.js';

const ROW = 24;
const TOP = 34;
/** Drawing units; the SVG scales to its panel's width. */
const LANE_W = 300;

/** Two (or more) vertical lines, one per actor; each socket event a dot, each crossing an arrow. */
export function Ladder({ events, upTo, lanes }: { events: readonly TraceEvent[]; upTo: number; lanes: string[] }) {
  const model = ladderModel(events, upTo, lanes);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [upTo]);
  const width = Math.max(2, lanes.length) * LANE_W;
  const x = (lane: number) => LANE_W / 2 + lane * LANE_W;
  const y = (row: number) => TOP + row * ROW;
  const height = TOP + Math.max(1, model.rows.length) * ROW + 10;
  return (
    <section className="ladder">
      <h2>{t('ladder.heading')}</h2>
      <div className="ladder-scroll" ref={box}>
        {model.rows.length === 0 ? <p className="empty">{t('ladder.empty')}</p> : (
          <svg style={{ width: '100%', height: 'auto', display: 'block' }} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMin meet" role="img" aria-label={t('ladder.heading')}>
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
              </marker>
            </defs>
            {lanes.map((l, i) => (
              <g key={l}>
                <text x={x(i)} y={18} textAnchor="middle" className="lane-name">{l}</text>
                <line x1={x(i)} x2={x(i)} y1={TOP - 8} y2={height} className="lane" />
              </g>
            ))}
            {model.arrows.map((a, i) => {
              const from = model.rows[a.from]!;
              const to = model.rows[a.to]!;
              return (
                <g key={`a${i}`} className={`arrow ${a.kind}`}>
                  <line x1={x(from.lane)} y1={y(a.from)} x2={x(to.lane)} y2={y(a.to)} markerEnd="url(#arrow)" />
                  {a.label && <text x={(x(from.lane) + x(to.lane)) / 2} y={(y(a.from) + y(a.to)) / 2 - 4} textAnchor="middle">{a.label}</text>}
                </g>
              );
            })}
            {model.rows.map((r, i) => {
              const right = r.lane === lanes.length - 1 && lanes.length > 1;
              return (
                <g key={`r${i}`} className={`row k-${r.kind}`}>
                  <circle cx={x(r.lane)} cy={y(i)} r={4} />
                  <text x={x(r.lane) + (right ? -10 : 10)} y={y(i) + 4} textAnchor={right ? 'end' : 'start'}>
                    {`${r.t.toFixed(1)} ms  ${r.label}`}
                  </text>
                </g>
              );
            })}
          </svg>
        )}
      </div>
    </section>
  );
}
