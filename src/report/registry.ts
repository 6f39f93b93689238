import type { RenderOptions, Reporter } from './reporter.js';
import type { Report } from './report.js';

/** A format as the registry knows it: its renderer is loaded only when that format is asked for. */
export interface RegisteredReporter {
  readonly format: string;
  readonly mediaType: string;
  load(): Promise<Reporter['render']>;
}

type Render = (report: Report, options: RenderOptions) => string;

/**
 * Every output format, by `--format` name. Renderers load on demand: the CycloneDX library alone
 * costs more start-up time than a whole audit, and most runs want one format. A contract test
 * walks this registry.
 */
export const reporters = {
  table: { format: 'table', mediaType: 'text/plain', load: async (): Promise<Render> => (await import('./table/render-table.js')).renderTable },
  json: { format: 'json', mediaType: 'application/json', load: async (): Promise<Render> => (await import('./json/render-json.js')).renderJson },
  sarif: { format: 'sarif', mediaType: 'application/sarif+json', load: async (): Promise<Render> => (await import('./sarif/render-sarif.js')).renderSarif },
  markdown: { format: 'markdown', mediaType: 'text/markdown', load: async (): Promise<Render> => (await import('./markdown/render-markdown.js')).renderMarkdown },
  junit: { format: 'junit', mediaType: 'application/xml', load: async (): Promise<Render> => (await import('./junit/render-junit.js')).renderJunit },
  github: { format: 'github', mediaType: 'text/plain', load: async (): Promise<Render> => (await import('./github/render-github.js')).renderGithub },
  cyclonedx: {
    format: 'cyclonedx',
    mediaType: 'application/vnd.cyclonedx+json',
    load: async (): Promise<Render> => (await import('./cyclonedx/render-cyclonedx.js')).renderCyclonedx,
  },
  html: { format: 'html', mediaType: 'text/html', load: async (): Promise<Render> => (await import('./html/render-html.js')).renderHtml },
} as const satisfies Record<string, RegisteredReporter>;

export type ReportFormat = keyof typeof reporters;

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(reporters, name);
}
