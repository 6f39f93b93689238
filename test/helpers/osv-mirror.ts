import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { shared } from './shared-data.js';

/** How the mirror answers for one ecosystem. */
export type MirrorBehaviour = 'ok' | 404 | 500 | 'truncated' | 'corrupt';

export interface OsvMirror {
  /** Base URL (`http://127.0.0.1:PORT`), to pass as `mirror`. */
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: readonly string[];
  /** Changes how `/{ecosystem}/all.zip` is answered from now on. */
  setBehaviour(ecosystem: string, behaviour: MirrorBehaviour): void;
  close(): Promise<void>;
}

/** One ecosystem's dump as the mirror serves it. */
export interface MirrorDump {
  readonly zip: Uint8Array;
  /** Ids of the records in the dump. */
  readonly ids: readonly string[];
  /** Of those, the ones with a `withdrawn` field. */
  readonly withdrawn: readonly string[];
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

interface PlainRecord {
  id: string;
  withdrawn?: string;
  affected?: { package?: { ecosystem?: string } }[];
}

function ecosystemsOf(record: PlainRecord): Set<string> {
  return new Set((record.affected ?? []).map((affected) => affected.package?.ecosystem ?? ''));
}

let cached: Record<'PyPI' | 'npm', MirrorDump> | undefined;

/**
 * The dumps built from the real records under shared/osv, read plainly (not through vigil):
 * PyPI = every pypi-pysec YAML record (as JSON) + the ghsa-subset records affecting PyPI;
 * npm = the ghsa-subset records affecting npm. Built once per test process.
 */
export function realMirrorDumps(): Record<'PyPI' | 'npm', MirrorDump> {
  if (cached) return cached;
  const pypi: PlainRecord[] = [];
  const npm: PlainRecord[] = [];
  for (const file of walk(shared('osv', 'pypi-pysec', 'vulns'))) {
    if (file.endsWith('.yaml')) pypi.push(parseYaml(readFileSync(file, 'utf8')) as PlainRecord);
  }
  for (const file of walk(shared('osv', 'ghsa-subset', 'advisories'))) {
    if (!file.endsWith('.json')) continue;
    const record = JSON.parse(readFileSync(file, 'utf8')) as PlainRecord;
    const ecosystems = ecosystemsOf(record);
    if (ecosystems.has('PyPI')) pypi.push(record);
    if (ecosystems.has('npm')) npm.push(record);
  }
  cached = { PyPI: buildDump(pypi), npm: buildDump(npm) };
  return cached;
}

function buildDump(records: readonly PlainRecord[]): MirrorDump {
  const files: Zippable = {};
  for (const record of records) files[`${record.id}.json`] = strToU8(JSON.stringify(record));
  return {
    zip: zipSync(files, { level: 1 }),
    ids: records.map((record) => record.id),
    withdrawn: records.filter((record) => record.withdrawn !== undefined).map((record) => record.id),
  };
}

/**
 * Serves `/{ecosystem}/all.zip` on 127.0.0.1 (a free port) from `dumps` (default: the real
 * records, see `realMirrorDumps`). Anything else is a 404.
 */
export async function startOsvMirror(
  dumps: Readonly<Record<string, MirrorDump>> = realMirrorDumps(),
): Promise<OsvMirror> {
  const behaviours = new Map<string, MirrorBehaviour>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    requests.push(url);
    const match = /^\/([^/]+)\/all\.zip$/.exec(url);
    const ecosystem = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const dump = ecosystem === undefined ? undefined : dumps[ecosystem];
    const behaviour = ecosystem === undefined ? 'ok' : (behaviours.get(ecosystem) ?? 'ok');
    if (dump === undefined || behaviour === 404) {
      send(response, 404, 'not found');
      return;
    }
    if (behaviour === 500) {
      send(response, 500, 'internal error');
      return;
    }
    if (behaviour === 'corrupt') {
      const garbage = Buffer.alloc(4096, 0x5a);
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': garbage.length });
      response.end(garbage);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': dump.zip.length });
    if (behaviour === 'truncated') {
      // Half the promised bytes, then the connection drops.
      response.write(dump.zip.subarray(0, Math.floor(dump.zip.length / 2)), () => {
        response.socket?.destroy();
      });
      return;
    }
    response.end(dump.zip);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehaviour(ecosystem, behaviour) {
      behaviours.set(ecosystem, behaviour);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(text);
}
