import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8, zipSync, type Zippable } from 'fflate';

export interface PlainRecord {
  id: string;
  modified: string;
  summary?: string;
  details?: string;
}

/**
 * A mirror in OSV's layout (https://google.github.io/osv.dev/data/#data-dumps), served on
 * 127.0.0.1: `/<ecosystem>/all.zip`, `/<ecosystem>/<ID>.json` and `/<ecosystem>/modified_id.csv`
 * (`<modified>,<id>` rows, newest first), with ETags as a bucket sends them when `etags` is on.
 */
export class LayoutMirror {
  readonly requests: string[] = [];
  /** Records per ecosystem folder. */
  readonly folders = new Map<string, Map<string, PlainRecord>>();
  etags = true;
  /** Whether the folders have a change list. */
  lists = true;
  /** A path whose answer stops half-way (the connection dropped). */
  dieOn: string | undefined;
  #server: Server | undefined;
  #version = 0;
  url = '';

  set(folder: string, records: readonly PlainRecord[]): void {
    const map = this.folders.get(folder) ?? new Map<string, PlainRecord>();
    for (const record of records) map.set(record.id, record);
    this.folders.set(folder, map);
    this.#version++;
  }

  #body(pathname: string): Buffer | undefined {
    const [, folder = '', file = ''] = pathname.split('/').map(decodeURIComponent);
    const records = this.folders.get(folder);
    if (records === undefined) return undefined;
    if (file === 'all.zip') {
      const files: Zippable = {};
      for (const record of records.values()) files[`${record.id}.json`] = strToU8(JSON.stringify(record));
      return Buffer.from(zipSync(files, { level: 1 }));
    }
    if (file === 'modified_id.csv' && this.lists) {
      const rows = [...records.values()]
        .map((record) => [new Date(record.modified).toISOString().replace(/\.\d{3}Z$/, 'Z'), record.id] as const)
        .sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
      return Buffer.from(rows.map(([modified, id]) => `${modified},${id}\n`).join(''));
    }
    const record = file.endsWith('.json') ? records.get(file.slice(0, -'.json'.length)) : undefined;
    return record === undefined ? undefined : Buffer.from(JSON.stringify(record));
  }

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      this.requests.push(pathname);
      const body = this.#body(pathname);
      if (body === undefined) {
        response.writeHead(404).end('not found');
        return;
      }
      const etag = `"${pathname}-${this.#version}"`;
      if (this.etags && request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-length': body.length, ...(this.etags ? { etag } : {}) });
      if (pathname === this.dieOn) {
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => {
          response.socket?.destroy();
        });
        return;
      }
      response.end(body);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server?.closeAllConnections();
    return new Promise((resolve) => {
      this.#server?.close(() => {
        resolve();
      });
    });
  }
}

