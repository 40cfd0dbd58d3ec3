/**
 * A terminal keeps only its last N lines (scrollback + screen). When a pane must be redrawn
 * (a seek back) or jumps far ahead, writing the whole history of a long run (megabytes) would
 * take seconds to end up showing the same last N lines; this finds where that tail starts.
 */
export function tailStart(list: readonly { text: string }[], from: number, target: number, maxLines: number): number {
  let lines = 0;
  for (let i = target - 1; i >= from; i--) {
    const text = list[i]!.text;
    for (let j = text.indexOf('\n'); j >= 0; j = text.indexOf('\n', j + 1)) lines++;
    // One line more than the terminal holds, so its top line is complete.
    if (lines > maxLines) return i;
  }
  return from;
}
