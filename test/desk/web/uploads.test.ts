import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { attachmentDisposition, checkUpload, cleanFilename, detectAttachmentType } from '../../../src/desk/web/uploads.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\n', 'latin1');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]);
const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');
const BINARY = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);

describe('attachment types, by content', () => {
  it.each([
    { name: 'PNG', data: PNG, want: 'image/png' },
    { name: 'JPEG', data: JPEG, want: 'image/jpeg' },
    { name: 'PDF', data: PDF, want: 'application/pdf' },
    { name: 'ZIP', data: ZIP, want: 'application/zip' },
    { name: 'UTF-8 text', data: Buffer.from('naïve log line\r\n\tindented\n'), want: 'text/plain' },
    { name: 'HTML (it is text)', data: HTML, want: 'text/plain' },
    { name: 'an ELF binary', data: BINARY, want: undefined },
    { name: 'invalid UTF-8', data: Buffer.from([0x61, 0xc3, 0x28]), want: undefined },
  ])('$name', ({ data, want }) => {
    expect(detectAttachmentType(data)).toBe(want);
  });
});

describe('checkUpload', () => {
  const limits = { fileSize: 64, files: 5 };

  it.each([
    { name: 'a PNG declared as PNG', file: { filename: 'shot.png', declaredType: 'image/png', data: PNG }, want: 'image/png' },
    { name: 'a script declared text/x-python', file: { filename: 'poc.py', declaredType: 'text/x-python', data: Buffer.from('print(1)\n') }, want: 'text/plain' },
    { name: 'a log the browser could not type', file: { filename: 'server.log', declaredType: 'application/octet-stream', data: Buffer.from('x\n') }, want: 'text/plain' },
    { name: 'a zip from Windows', file: { filename: 'poc.zip', declaredType: 'application/x-zip-compressed', data: ZIP }, want: 'application/zip' },
  ])('accepts $name', ({ file, want }) => {
    expect(checkUpload(file, limits).contentType).toBe(want);
  });

  it.each([
    { name: 'an HTML page renamed .png', file: { filename: 'cat.png', declaredType: 'image/png', data: HTML }, message: /says it is image\/png but its content is text\/plain/ },
    { name: 'an HTML page declared as such', file: { filename: 'page.txt', declaredType: 'text/html', data: HTML }, message: /says it is text\/html/ },
    { name: 'an .html name', file: { filename: 'x.html', declaredType: 'application/octet-stream', data: HTML }, message: /not accepted/ },
    { name: 'an SVG', file: { filename: 'x.svg', declaredType: 'image/svg+xml', data: Buffer.from('<svg onload="alert(1)"/>') }, message: /not accepted/ },
    { name: 'a binary', file: { filename: 'tool', declaredType: 'application/octet-stream', data: BINARY }, message: /not text, PNG, JPEG, PDF or ZIP/ },
    { name: 'a PDF declared as PNG', file: { filename: 'a.png', declaredType: 'image/png', data: PDF }, message: /content is application\/pdf/ },
    { name: 'an empty file', file: { filename: 'a.txt', declaredType: 'text/plain', data: Buffer.alloc(0) }, message: /empty/ },
    { name: 'an oversized file', file: { filename: 'a.txt', declaredType: 'text/plain', data: Buffer.alloc(65, 0x61) }, message: /larger than/ },
  ])('refuses $name', ({ file, message }) => {
    expect(() => checkUpload(file, limits)).toThrow(UsageError);
    expect(() => checkUpload(file, limits)).toThrow(message);
  });

  it('keeps only the base name, without control characters or quotes', () => {
    expect(cleanFilename('..\\..\\evil"\r\nname.txt')).toBe('evilname.txt');
    expect(cleanFilename('/etc/..')).toBe('attachment');
    expect(attachmentDisposition('rapport été.txt')).toBe(`attachment; filename="rapport _t_.txt"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.txt`);
  });
});
