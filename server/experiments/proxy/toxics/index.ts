/**
 * The toxic registry: adding a toxic = one module beside this file and one line here. A toxic is
 * switched on with `toxic-<name>` (a live control, args: on 1/0, dir 0 both / 1 upstream /
 * 2 downstream, and its parameters) or from the start with the proxy's `toxics` parameter.
 */
import type { Toxic } from './types.js';
import latency from './latency.js';
import bandwidth from './bandwidth.js';
import slicer from './slicer.js';
import slowClose from './slow-close.js';
import resetPeer from './reset-peer.js';
import timeout from './timeout.js';
import limitData from './limit-data.js';

export const toxics: readonly Toxic[] = [latency, bandwidth, slicer, slowClose, resetPeer, timeout, limitData];

export function findToxic(name: string): Toxic | undefined {
  return toxics.find((t) => t.name === name);
}

export interface ToxicSetting {
  name: string;
  /** 0 both, 1 upstream (client → server), 2 downstream (server → client). */
  dir: 0 | 1 | 2;
  params: Record<string, number>;
}

/**
 * A toxic's settings from control or parameter arguments: defaults filled in, every value checked
 * against its range. Returns the reason when something is wrong.
 */
export function toxicSetting(name: string, args: Record<string, unknown>): ToxicSetting | string {
  const t = findToxic(name);
  if (!t) return `unknown toxic "${name}" (known: ${toxics.map((x) => x.name).join(', ')})`;
  const dir = args.dir === undefined ? t.defaultDirection : Number(args.dir);
  if (dir !== 0 && dir !== 1 && dir !== 2) return `${name}: dir must be 0 (both), 1 (upstream) or 2 (downstream), got ${JSON.stringify(args.dir)}`;
  const params: Record<string, number> = {};
  for (const [k, spec] of Object.entries(t.params)) {
    const raw = args[k];
    const v = raw === undefined ? spec.default : Number(raw);
    if (!Number.isFinite(v) || v < spec.min || v > spec.max) return `${name}: ${k} must be ${spec.min}..${spec.max} ${spec.unit}, got ${JSON.stringify(raw)}`;
    params[k] = v;
  }
  for (const k of Object.keys(args)) {
    if (k !== 'dir' && k !== 'on' && !(k in t.params)) return `${name}: no parameter "${k}" (it has ${Object.keys(t.params).join(', ') || 'none'})`;
  }
  return { name, dir, params };
}

/**
 * The `toxics` parameter: "name:key=value,key=value; name2" — toxics switched on from the start.
 * Returns the settings, or the reason the text is wrong.
 */
export function parseToxicList(text: string): ToxicSetting[] | string {
  const out: ToxicSetting[] = [];
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, rest] = part.split(':', 2) as [string, string | undefined];
    const args: Record<string, unknown> = {};
    for (const kv of (rest ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(kv);
      if (!m) return `"${kv}" in "${part}": expected key=number`;
      args[m[1]!] = Number(m[2]);
    }
    const s = toxicSetting(name.trim(), args);
    if (typeof s === 'string') return s;
    out.push(s);
  }
  return out;
}

export function directionName(dir: 0 | 1 | 2): string {
  return dir === 0 ? 'both directions' : dir === 1 ? 'upstream (client → server)' : 'downstream (server → client)';
}
