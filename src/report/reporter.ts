import type { Report } from './report.js';

export interface RenderOptions {
  /** ANSI colours (only the table uses them; a TTY without NO_COLOR). */
  readonly color: boolean;
}

/** One output format. Every renderer takes the same Report and returns the whole document. */
export interface Reporter {
  /** The `--format` name. */
  readonly format: string;
  /** Media type of the output, e.g. `application/sarif+json`. */
  readonly mediaType: string;
  render(report: Report, options: RenderOptions): string;
}
