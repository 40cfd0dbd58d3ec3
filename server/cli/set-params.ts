import type { z } from 'zod';

/**
 * Turns `--set key=value` pairs into parameters, typed by the experiment's schema, so that
 * `--set count=3` is a number and `--set nodelay=true` a boolean. Unknown keys are an error.
 */
export function parseSetPairs(pairs: string[], schema: z.ZodObject): Record<string, unknown> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const field = shape[key];
    if (!field) throw new Error(`unknown parameter "${key}" (known: ${Object.keys(shape).join(', ')})`);
    out[key] = coerce(raw, field);
  }
  return out;
}

function coerce(raw: string, field: z.ZodType): unknown {
  const json = field.toJSONSchema?.() as { type?: string | string[]; anyOf?: { type?: string }[] } | undefined;
  const types = new Set<string>([json?.type ?? [], (json?.anyOf ?? []).map((a) => a.type ?? '')].flat());
  if ((types.has('number') || types.has('integer')) && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (types.has('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}
