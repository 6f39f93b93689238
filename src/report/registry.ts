import { renderCyclonedx } from './cyclonedx/render-cyclonedx.js';
import { renderGithub } from './github/render-github.js';
import { renderHtml } from './html/render-html.js';
import { renderJson } from './json/render-json.js';
import { renderJunit } from './junit/render-junit.js';
import { renderMarkdown } from './markdown/render-markdown.js';
import type { Reporter } from './reporter.js';
import { renderSarif } from './sarif/render-sarif.js';
import { renderTable } from './table/render-table.js';

/** Every output format, by `--format` name. A contract test walks this registry. */
export const reporters = {
  table: { format: 'table', mediaType: 'text/plain', render: (report, options) => renderTable(report, options) },
  json: { format: 'json', mediaType: 'application/json', render: (report) => renderJson(report) },
  sarif: { format: 'sarif', mediaType: 'application/sarif+json', render: (report) => renderSarif(report) },
  markdown: { format: 'markdown', mediaType: 'text/markdown', render: (report) => renderMarkdown(report) },
  junit: { format: 'junit', mediaType: 'application/xml', render: (report) => renderJunit(report) },
  github: { format: 'github', mediaType: 'text/plain', render: (report) => renderGithub(report) },
  cyclonedx: { format: 'cyclonedx', mediaType: 'application/vnd.cyclonedx+json', render: (report) => renderCyclonedx(report) },
  html: { format: 'html', mediaType: 'text/html', render: (report) => renderHtml(report) },
} as const satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof reporters;

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(reporters, name);
}
