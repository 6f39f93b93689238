// A webhook receiver on 127.0.0.1 for the tests: answers each request as the test says, checks
// the signature by hand (HMAC-SHA256 over "<t>.<body>"), and counts requests and distinct
// notification ids (a receiver that drops repeats by Vigil-Notification-Id).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly notificationId: string;
  readonly attempt: number;
  readonly signatureValid: boolean;
  readonly body: string;
  readonly at: number;
}

export interface Answer {
  readonly status: number;
  /** Never answer: the request hangs until the sender goes away (a worker killed mid-request). */
  readonly hold?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Distinct notification ids received. */
  distinct(): Set<string>;
  /** Starts listening (again) on the same port. */
  up(): Promise<void>;
  /** Stops listening: connections are refused. */
  down(): Promise<void>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
    request.on('error', reject);
  });
}

/** Checks `t=<digits>,v1=<hex>` the way the header's documentation tells a receiver to. */
export function signatureMatches(secret: string, header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return false;
  return createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex') === match[2];
}

export async function startWebhookReceiver(
  secret: string,
  answer: (request: ReceivedRequest, index: number) => Answer = () => ({ status: 200 }),
  onRequest?: (request: ReceivedRequest) => void,
  port = 0,
): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let server: Server | undefined;
  let boundPort = port;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const created = createServer((request, response) => {
        void readBody(request).then((body) => {
          const received: ReceivedRequest = {
            notificationId: String(request.headers['vigil-notification-id'] ?? ''),
            attempt: Number(request.headers['vigil-delivery-attempt'] ?? 0),
            signatureValid: signatureMatches(secret, String(request.headers['vigil-signature'] ?? ''), body),
            body,
            at: Date.now(),
          };
          requests.push(received);
          onRequest?.(received);
          const reply = answer(received, requests.length - 1);
          if (reply.hold === true) return;
          response.writeHead(reply.status, reply.headers ?? {});
          response.end('ok');
        });
      });
      created.once('error', reject);
      created.listen(boundPort, '127.0.0.1', () => {
        boundPort = (created.address() as AddressInfo).port;
        server = created;
        resolve();
      });
    });
  const down = (): Promise<void> =>
    new Promise((resolve) => {
      if (server === undefined) {
        resolve();
        return;
      }
      server.closeAllConnections();
      server.close(() => { resolve(); });
      server = undefined;
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${boundPort}/hook`;
    },
    get port() {
      return boundPort;
    },
    requests,
    distinct: () => new Set(requests.map((request) => request.notificationId)),
    up: listen,
    down,
    close: down,
  };
}
