/** One step of a long piece of work (reading files, matching), for the CLI to render; the library never prints. */
export interface WorkProgress {
  /** What kind of work: `read` (dependency files), `match` (packages against advisories). */
  readonly phase: 'read' | 'match';
  /** What is being worked on, e.g. the file being read. Input text: the renderer escapes it. */
  readonly label: string;
  /** Units done so far (files, packages). */
  readonly done: number;
  /** The expected end of `done`, when known. */
  readonly total?: number;
}

/** Receives progress; called synchronously, so it must be cheap. */
export type OnWorkProgress = (event: WorkProgress) => void;
