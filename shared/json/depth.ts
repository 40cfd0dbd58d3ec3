/**
 * How deep a JSON text nests, found without parsing it. JSON.parse itself copes with deep input,
 * but everything after it (JSON.stringify, zod, a recursive view) overflows the stack somewhere
 * past a few thousand levels; a line or message is refused before any of that sees it.
 * Iterative, one pass, no allocation: safe on any string of any length.
 */
export function jsonDepthProblem(text: string, maxDepth: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { // [ {
      if (++depth > maxDepth) return `nested more than ${maxDepth} levels deep`;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}
