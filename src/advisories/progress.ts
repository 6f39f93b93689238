/** One step of a long import or download, for the CLI to render; the library never prints. */
export interface ProgressEvent {
  /** `download`: bytes of one URL; `import`: records read from the inputs. */
  readonly phase: 'download' | 'import';
  /** What is being worked on: a URL, a file, an ecosystem. */
  readonly label: string;
  /** Bytes (download) or records and files (import) done so far. */
  readonly done: number;
  /** The expected end of `done`, when known (from `content-length`, or a count of files). */
  readonly total?: number;
}

/** Receives progress; called synchronously, so it must be cheap. */
export type OnProgress = (event: ProgressEvent) => void;
