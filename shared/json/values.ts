/**
 * Values from a trace's open payloads (custom `data`, control `args`, sockopt `requested` /
 * `effective`, header `params`: z.unknown in the schema), made safe to show. Such a value is
 * anything JSON can say, so String(), Number(), a template literal or arithmetic on it can throw:
 * {"toString":1} is an object whose toString is not a function. These never throw, never run
 * anything the value carries, and give the same text as String() for every primitive.
 */

/** The value as text: a primitive as String() shows it, an object or array as JSON. */
export function textOf(v: unknown): string {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  return jsonOf(v);
}

/** A finite number, or undefined for anything else (no string parsing, no coercion). */
export function numberOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * JSON text of the value, or a placeholder when it has none (undefined, a function) or cannot be
 * written (nesting too deep for the stack: a live line is not depth-checked like a file's).
 */
export function jsonOf(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return typeof s === 'string' ? s : String(typeof v);
  } catch {
    return '(unprintable)';
  }
}
