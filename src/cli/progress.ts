import { visibleText } from '../core/visible-text.js';

/** What the library reports while it downloads, imports, reads or matches. */
export interface ProgressEvent {
  readonly phase: string;
  readonly label: string;
  readonly done: number;
  readonly total?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;

export interface ProgressBarOptions {
  /**
   * Nothing is drawn before this many milliseconds from the bar's creation: work that ends sooner
   * leaves the terminal as it was. The latest event is drawn when the delay ends.
   */
  readonly delayMs?: number;
  /** Milliseconds now (injectable for tests). */
  readonly now?: () => number;
}

/**
 * A one-line progress bar on a TTY, redrawn at most ten times a second; nothing at all when
 * stderr is not a TTY, in CI, or when machine output goes to stdout. Labels come from input (file
 * paths, names): they are written with controls made visible.
 */
export function progressBar(stream: NodeJS.WriteStream, enabled: boolean, options: ProgressBarOptions = {}): { sink: ProgressSink; done(): void } {
  if (!enabled) return { sink: () => undefined, done: () => undefined };
  const now = options.now ?? Date.now;
  const showFrom = now() + (options.delayMs ?? 0);
  let last = 0;
  let drawn = false;
  let pending: ProgressEvent | undefined;
  const draw = (event: ProgressEvent): void => {
    const width = 30;
    const label = visibleText(event.label);
    let line: string;
    if (event.total && event.total > 0) {
      const ratio = Math.min(1, event.done / event.total);
      const filled = Math.round(ratio * width);
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(ratio * 100)}%`;
    } else {
      line = `${label} ${event.done}`;
    }
    // One line only, never wrapped: a wrapped line cannot be cleared with one carriage return.
    const columns = stream.columns > 0 ? stream.columns - 1 : 0;
    if (columns > 0 && line.length > columns) line = `…${line.slice(line.length - columns + 1)}`;
    stream.write(`\r\u001b[2K${line}`);
    drawn = true;
  };
  // Draws what was last reported when the delay ends, even if nothing is reported after it
  // (a single long step); it never keeps the process alive.
  const timer = options.delayMs
    ? setTimeout(() => {
        if (pending) draw(pending);
      }, options.delayMs)
    : undefined;
  timer?.unref();
  const sink: ProgressSink = (event) => {
    const at = now();
    pending = event;
    if (at < showFrom) return;
    const finished = event.total !== undefined && event.done >= event.total;
    if (!finished && at - last < 100) return;
    last = at;
    draw(event);
  };
  return {
    sink,
    done() {
      if (timer) clearTimeout(timer);
      pending = undefined;
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
