import type { SkippedEntry, SourceLocation } from '../core/types.js';

/** A dependency a lock entry names that has no entry of its own in the file. */
export interface MissingEntry {
  /** The entry that names it (`name@version`, or `importers`). */
  readonly from: string;
  /** The dependency as written (`name@range`, `name`). */
  readonly dependency: string;
  readonly location: SourceLocation;
}

/**
 * One skipped entry for every dependency a lockfile names but does not contain. The tools that
 * write these formats lock every dependency they resolve, so a missing one means entries were
 * lost (a file cut short between two entries still parses) or the file was edited by hand: the
 * packages it lists are audited, and the gap is unevaluable (it fails the gate unless the policy
 * says `unevaluable: warn`) rather than a smaller, silent inventory.
 */
export function missingEntriesSkipped(missing: readonly MissingEntry[], tool: string): SkippedEntry[] {
  const first = missing[0];
  if (first === undefined) return [];
  const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
  return [
    {
      location: first.location,
      reason:
        `"${first.from}" depends on "${first.dependency}", which the lockfile does not contain${more}: ` +
        `the file is truncated or was edited by hand; restore it or regenerate it with ${tool}`,
    },
  ];
}

/** Whether a skipped entry is the note `missingEntriesSkipped` writes (not an entry of the file). */
export function isMissingEntriesNote(entry: SkippedEntry): boolean {
  return entry.name === undefined && entry.reason.includes(', which the lockfile does not contain');
}
