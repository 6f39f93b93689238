/** One line of an edit script: kept, removed from the old text, or added by the new. */
interface DiffOp {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
}

/**
 * The shortest edit script between two line arrays, from their longest common subsequence. The
 * common head and tail are trimmed first, so a file with a few edited lines costs little whatever
 * its length.
 */
function diffOps(before: readonly string[], after: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head += 1;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail += 1;
  }
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const ops: DiffOp[] = before.slice(0, head).map((text) => ({ kind: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] ?? '' });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
      // Removals before additions within a change, as diff(1) prints them.
      ops.push({ kind: '-', text: a[i] ?? '' });
      i += 1;
    } else {
      ops.push({ kind: '+', text: b[j] ?? '' });
      j += 1;
    }
  }
  for (const text of before.slice(before.length - tail)) ops.push({ kind: ' ', text });
  return ops;
}

/** Options of `unifiedDiff`. */
export interface UnifiedDiffOptions {
  /** Name on the `---` line (e.g. `a/requirements.txt`). */
  readonly fromFile: string;
  /** Name on the `+++` line (e.g. `b/requirements.txt`). */
  readonly toFile: string;
  /** Unchanged lines shown around each change (default 3, as diff -u). */
  readonly context?: number;
}

function range(start: number, count: number): string {
  // diff -u: an empty range names the line before it; a one-line range omits its count.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * A unified diff (https://www.gnu.org/software/diffutils/manual/html_node/Detailed-Unified.html)
 * of two line arrays, lines without their terminators; the empty string when they are equal. A
 * text's final newline is the caller's concern: split with `splitLinesForDiff`.
 */
export function unifiedDiff(before: readonly string[], after: readonly string[], options: UnifiedDiffOptions): string {
  const context = options.context ?? 3;
  const ops = diffOps(before, after);
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';
  // Hunks: changes closer than twice the context share one.
  const spans: { from: number; to: number }[] = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length - 1, index + context);
    const last = spans[spans.length - 1];
    if (last && from <= last.to + 1) last.to = Math.max(last.to, to);
    else spans.push({ from, to });
  }
  const out = [`--- ${options.fromFile}`, `+++ ${options.toFile}`];
  // Line numbers (1-based) of the old and new text at each op.
  let oldLine = 1;
  let newLine = 1;
  let cursor = 0;
  for (const span of spans) {
    for (; cursor < span.from; cursor += 1) {
      const op = ops[cursor];
      if (op?.kind !== '+') oldLine += 1;
      if (op?.kind !== '-') newLine += 1;
    }
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    for (; cursor <= span.to; cursor += 1) {
      const op = ops[cursor];
      if (!op) break;
      body.push(`${op.kind}${op.text}`);
      if (op.kind !== '+') oldCount += 1;
      if (op.kind !== '-') newCount += 1;
    }
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body);
    oldLine += oldCount;
    newLine += newCount;
  }
  return `${out.join('\n')}\n`;
}

/**
 * Lines of a text for `unifiedDiff`: split at `\n` (a `\r` stays with its line), and a text
 * without a final newline gets diff's `\ No newline at end of file` marker line.
 */
export function splitLinesForDiff(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] = `${lines[lines.length - 1] ?? ''}\n\\ No newline at end of file`;
  return lines;
}
