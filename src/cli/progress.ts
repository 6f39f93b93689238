/** What the library reports while it downloads or imports. */
export interface ProgressEvent {
  readonly phase: string;
  readonly label: string;
  readonly done: number;
  readonly total?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;

/**
 * A one-line progress bar on a TTY, redrawn at most ten times a second; nothing at all when
 * stderr is not a TTY, in CI, or when machine output goes to stdout.
 */
export function progressBar(stream: NodeJS.WriteStream, enabled: boolean): { sink: ProgressSink; done(): void } {
  if (!enabled) return { sink: () => undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  const sink: ProgressSink = (event) => {
    const now = Date.now();
    const finished = event.total !== undefined && event.done >= event.total;
    if (!finished && now - last < 100) return;
    last = now;
    const width = 30;
    let line: string;
    if (event.total && event.total > 0) {
      const ratio = Math.min(1, event.done / event.total);
      const filled = Math.round(ratio * width);
      line = `${event.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(ratio * 100)}%`;
    } else {
      line = `${event.label} ${event.done}`;
    }
    stream.write(`\r\u001b[2K${line}`);
    drawn = true;
  };
  return {
    sink,
    done() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
