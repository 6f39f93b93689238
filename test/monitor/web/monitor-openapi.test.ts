// The OpenAPI document of the monitor API, checked as the desk's is: every route the API
// registers (seen through Fastify's onRoute hook) is documented with its method and nothing else
// is, every $ref resolves, every schema compiles as JSON Schema 2020-12 in ajv's strict mode, and
// the push body schema accepts and refuses what the handler does.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { Desk } from '../../../src/desk/desk.js';
import type { OpenApiDocument } from '../../../src/desk/web/api/openapi-document.js';
import { MONITOR_API_PREFIX, registerMonitorApi } from '../../../src/monitor/web/monitor-api.js';
import { openApiPathOf } from '../../../src/monitor/web/monitor-openapi.js';
import { monitorWebContext } from '../../../src/monitor/web/monitor-web-service.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { djangoLikeConfig } from '../../desk/desk-fixtures.js';
import { documentValidator } from '../../desk/web/api/api-test-app.js';
import { monitorBackends, type MonitorTestDatabase } from '../monitor-backends.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let deskDatabase: DeskStoreDatabase;
let monitorDatabase: MonitorTestDatabase;
let registered: string[];
let document: OpenApiDocument;

beforeAll(async () => {
  const deskBackend = deskStoreBackends()[0];
  const monitorBackend = monitorBackends()[0];
  if (deskBackend === undefined || monitorBackend === undefined) throw new Error('no backend');
  deskDatabase = await deskBackend.create();
  monitorDatabase = await monitorBackend.create();
  const clock = fixedClock('2024-07-01T00:00:00Z');
  const desk = new Desk({ store: deskDatabase.store, config: djangoLikeConfig(), clock });
  const app = Fastify();
  registered = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push(`${String(method).toLowerCase()} ${route.url}`);
  });
  await registerMonitorApi(app, monitorWebContext({ monitor: monitorDatabase.monitor, desk, openStore: () => Promise.reject(new Error('unused')), clock }));
  await app.ready();
  const answer = await app.inject({ method: 'GET', url: `${MONITOR_API_PREFIX}/openapi.json` });
  expect(answer.statusCode).toBe(200);
  document = answer.json<OpenApiDocument>();
  await app.close();
});

afterAll(async () => {
  await monitorDatabase.dispose();
  await deskDatabase.dispose();
});

describe('the OpenAPI document of the monitor API', () => {
  it('documents every route the API registers, with its method, and nothing else', () => {
    // push, status, affected, packages, ref findings and history, acknowledge, two deletions, the document.
    expect(registered).toHaveLength(10);
    const operations = registered.map((entry) => {
      const [method = '', url = ''] = entry.split(' ');
      expect(url.startsWith(`${MONITOR_API_PREFIX}/`), url).toBe(true);
      return `${method} ${openApiPathOf(url.slice(MONITOR_API_PREFIX.length))}`;
    });
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual([...operations].sort());
    expect(document.servers).toEqual([{ url: MONITOR_API_PREFIX }]);
  });

  it('has the shape of an OpenAPI 3.1 document, with roles and 401/403 on every operation but itself', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.jsonSchemaDialect).toBe('https://spec.openapis.org/oas/3.1/dialect/base');
    expect(document.components.securitySchemes['bearerAuth']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      for (const [method, operation] of Object.entries(operations)) {
        expect(METHODS).toContain(method);
        expect(ids.has(operation.operationId)).toBe(false);
        ids.add(operation.operationId);
        const inPath = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect(inPath.map((parameter) => parameter.name).sort()).toEqual([...templated].sort());
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(response.description.length).toBeGreaterThan(0);
        }
        expect(Object.keys(operation.responses)).toContain('429');
        if (method === 'get' || method === 'delete') expect(operation.requestBody).toBeUndefined();
        if (path === '/openapi.json') {
          expect(operation.security).toEqual([]);
          continue;
        }
        expect(operation['x-vigil-roles']?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(document.paths['/refs']?.['delete']?.['x-vigil-roles']).toEqual(['admin']);
    expect(document.paths['/findings/{id}/acknowledge']?.['post']?.['x-vigil-roles']).toEqual(['admin', 'responder']);
    expect(document.paths['/status']?.['get']?.['x-vigil-roles']).toEqual(['admin', 'responder', 'observer']);
  });

  it('has only $refs that resolve, and schemas that compile in strict mode', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(document.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    const validator = documentValidator(document);
    for (const id of Object.keys(document.components.schemas)) {
      expect(() => validator.compile({ $ref: `#/components/schemas/${id}` }), id).not.toThrow();
    }
  });

  it.each([
    { name: 'a lockfile as text', body: { project: 'web', ref: 'main', files: [{ name: 'package-lock.json', text: '{}' }] }, valid: true },
    { name: 'base64 with a format and a policy', body: { project: 'web', ref: 'v1', files: [{ name: 'r/base.txt', base64: 'Zm9vPT0x', format: 'requirements.txt' }], policy: 'fail_on: high\n' }, valid: true },
    { name: 'no files', body: { project: 'web', ref: 'main', files: [] }, valid: false },
    { name: 'an unknown key', body: { project: 'web', ref: 'main', files: [{ name: 'a', text: '' }], owner: 'x' }, valid: false },
    { name: 'no project', body: { ref: 'main', files: [{ name: 'a', text: '' }] }, valid: false },
  ])('describes the push body as the handler reads it: $name', ({ body, valid }) => {
    const validate = documentValidator(document).compile({ $ref: '#/components/schemas/PushRequest' });
    expect(validate(body)).toBe(valid);
  });
});
