// A fake npm registry on 127.0.0.1 serving hand-written packuments, for the registry and plan tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeNpmRegistry {
  /** Base URL, with a trailing `/`. */
  readonly url: string;
  /** Every request path, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** The dependency ranges of each version of a package, as a packument's `versions` would carry them. */
export type VersionDependencies = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** A small packument: each version with its `dependencies`. */
export function packument(name: string, versions: VersionDependencies): unknown {
  return {
    name,
    versions: Object.fromEntries(
      Object.entries(versions).map(([version, dependencies]) => [
        version,
        { name, version, ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}) },
      ]),
    ),
  };
}

/** The packument URL path of a name (`/semver`, `/@babel%2ftraverse`), lower-cased as the server looks it up. */
export function packumentPath(name: string): string {
  return `/${name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`.toLowerCase();
}

/**
 * Serves `bodies` by request path (lower-cased); other paths get a 404, and `/slow` never answers
 * (for timeouts).
 */
export async function startFakeNpmRegistry(bodies: Readonly<Record<string, unknown>>): Promise<FakeNpmRegistry> {
  const requests: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    requests.push(url);
    if (url === '/slow') return;
    const body = bodies[url.toLowerCase()];
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
