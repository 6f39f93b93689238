import { UsageError } from '../../core/errors.js';
import type { NewAttachment } from '../desk.js';

/** How much a reporter may attach to one report. */
export interface UploadLimits {
  /** Largest file, bytes (default 5 MiB). */
  readonly fileSize: number;
  /** Most files per report (default 5). */
  readonly files: number;
}

/** Default upload limits: enough for logs, screenshots and a zipped proof of concept. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { fileSize: 5 * 1024 * 1024, files: 5 };

/** Types a reporter may attach, as stored (detected from the content). */
export const ATTACHMENT_TYPES = ['text/plain', 'image/png', 'image/jpeg', 'application/pdf', 'application/zip'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** A file as it came in a multipart form. */
export interface UploadedFile {
  /** The name the browser sent. */
  readonly filename: string;
  /** The Content-Type the browser declared for the part. */
  readonly declaredType: string;
  readonly data: Uint8Array;
}

function startsWith(data: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, index) => data[index] === byte);
}

/**
 * The type of a file from its first bytes (its "magic"), never from its name or declared type:
 * PNG and JPEG signatures, `%PDF-`, a ZIP local or end-of-archive header, or text (valid UTF-8
 * without NUL or other binary control characters). Undefined for anything else.
 */
export function detectAttachmentType(data: Uint8Array): AttachmentType | undefined {
  // https://www.w3.org/TR/png-3/#5PNG-file-signature
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  // JPEG SOI followed by a marker (JFIF, Exif, ...)
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  // PKWARE APPNOTE 4.3.7 (local file header) and 4.3.16 (end of central directory: an empty archive)
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04]) || startsWith(data, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (isText(data)) return 'text/plain';
  return undefined;
}

function isText(data: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  // Tab, line feed, form feed and carriage return are text; other C0 controls and DEL mean binary.
  return !data.some((byte) => (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f);
}

// What browsers declare for each stored type. `application/octet-stream` is what they send for a
// name they cannot map (a `.log`, a `.har`): the content decides then. Scripts (a `.py`, a `.sh`)
// arrive as text/x-... or application/x-sh: proofs of concept are welcome, stored as text.
function declaredMatches(declared: string, detected: AttachmentType): boolean {
  const type = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || type === 'application/octet-stream') return true;
  switch (detected) {
    case 'text/plain':
      // Never markup that a browser would render, whatever it is stored as.
      return (
        (type.startsWith('text/') && !['text/html', 'text/xml', 'text/xsl'].includes(type)) ||
        ['application/json', 'application/x-sh', 'application/x-shellscript', 'application/x-python', 'application/javascript'].includes(type)
      );
    case 'image/jpeg':
      return type === 'image/jpeg' || type === 'image/pjpeg';
    case 'application/zip':
      return type === 'application/zip' || type === 'application/x-zip-compressed';
    case 'image/png':
    case 'application/pdf':
      return type === detected;
  }
}

// Names that browsers or desktop tools would open as active content if the file ever left the
// download folder: refused even when the content is harmless text.
const ACTIVE_EXTENSIONS = /\.(html?|xhtml|xht|svg|xml|hta|mht|mhtml|exe|dll|bat|cmd|com|scr|msi|lnk|jar|app|ps1|vbs)$/i;

/** A file name fit to show and to put in a Content-Disposition header: no path, no control characters, 200 characters at most. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'attachment' : cleaned;
}

/**
 * Checks one uploaded file: not empty, within the size limit, of an allowed type detected from
 * its content, and that type agreeing with what the browser declared (an HTML page renamed
 * `.png` is declared `image/png` but is text, and is refused).
 * @throws UsageError naming the file and the rule.
 */
export function checkUpload(file: UploadedFile, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): NewAttachment {
  const filename = cleanFilename(file.filename);
  if (file.data.byteLength === 0) throw new UsageError(`attachment "${filename}" is empty`);
  if (file.data.byteLength > limits.fileSize) {
    throw new UsageError(`attachment "${filename}" is larger than ${Math.floor(limits.fileSize / 1024 / 1024)} MiB`);
  }
  if (ACTIVE_EXTENSIONS.test(filename)) {
    throw new UsageError(`attachment "${filename}": this kind of file is not accepted; attach it as .txt or inside a .zip`);
  }
  const detected = detectAttachmentType(file.data);
  if (detected === undefined) {
    throw new UsageError(`attachment "${filename}" is not text, PNG, JPEG, PDF or ZIP (judged by its content); put other files in a .zip`);
  }
  if (!declaredMatches(file.declaredType, detected)) {
    throw new UsageError(`attachment "${filename}" says it is ${file.declaredType} but its content is ${detected}`);
  }
  return { filename, contentType: detected, data: file.data };
}

/** `Content-Disposition: attachment` with the name in ASCII and, per RFC 6266 / RFC 8187, in UTF-8. */
export function attachmentDisposition(filename: string): string {
  const cleaned = cleanFilename(filename);
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_');
  const encoded = encodeURIComponent(cleaned).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
