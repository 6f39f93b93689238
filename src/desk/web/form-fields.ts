import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import { UsageError } from '../../core/errors.js';
import { singleLineProblem } from '../submission.js';
import type { UploadedFile } from './uploads.js';

/** The fields of a submitted form, urlencoded or multipart, read the same way. */
export interface FormFields {
  /** The first value of a field, as sent; empty when absent. */
  text(name: string): string;
  /** The first value trimmed; undefined when absent or blank. */
  optional(name: string): string | undefined;
  /**
   * The first value of a single-line field (a name, an address, a URL), as sent; empty when absent.
   * @throws UsageError naming `label` when it holds a line break, a control or a bidi character.
   */
  line(name: string, label: string): string;
  /** Every value of a repeated field (checkboxes), blank ones left out. */
  list(name: string): string[];
  /** The files of a file field; a file input left empty (a part with no file name) is no file. */
  files(name: string): Promise<UploadedFile[]>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMultipartValue(value: unknown): value is MultipartValue {
  return isRecord(value) && value['type'] === 'field' && 'value' in value;
}

function isMultipartFile(value: unknown): value is MultipartFile {
  return isRecord(value) && value['type'] === 'file' && typeof value['toBuffer'] === 'function';
}

function entries(body: Record<string, unknown>, name: string): unknown[] {
  const value = body[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isMultipartValue(value) && typeof value.value === 'string') return value.value;
  return undefined;
}

/** Reads a request body parsed by @fastify/formbody or by @fastify/multipart (`attachFieldsToBody: true`). */
export function formFields(body: unknown): FormFields {
  const record = isRecord(body) ? body : {};
  const texts = (name: string): string[] => entries(record, name).map(asText).filter((text): text is string => text !== undefined);
  return {
    text: (name) => texts(name)[0] ?? '',
    optional: (name) => {
      const value = texts(name)[0]?.trim();
      return value === undefined || value === '' ? undefined : value;
    },
    line: (name, label) => {
      const value = texts(name)[0] ?? '';
      const problem = singleLineProblem(value.trim());
      if (problem !== undefined) throw new UsageError(`${label} ${problem}`);
      return value;
    },
    list: (name) => texts(name).map((text) => text.trim()).filter((text) => text !== ''),
    files: async (name) => {
      const files: UploadedFile[] = [];
      for (const entry of entries(record, name)) {
        if (!isMultipartFile(entry) || entry.filename === '') continue;
        files.push({ filename: entry.filename, declaredType: entry.mimetype, data: await entry.toBuffer() });
      }
      return files;
    },
  };
}
