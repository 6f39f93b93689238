import type { Report } from '../report.js';

/** `--format json`: the Report as documented in docs/json-schema.md. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
