// The OpenAPI document of the desk API. The official OpenAPI 3.1 JSON Schema is neither in
// node_modules nor in ../shared/schemas, so the document is checked structurally: every route the
// plugin registers (seen through Fastify's onRoute hook, so an undocumented route fails) is in it
// with its method, every $ref resolves, every schema compiles as JSON Schema 2020-12 in ajv's
// strict mode, and the schemas accept what the handlers accept (they come from the same zod).
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../../src/core/clock.js';
import { Desk } from '../../../../src/desk/desk.js';
import { API_ROUTES } from '../../../../src/desk/web/api/api-routes.js';
import { deskApiPlugin } from '../../../../src/desk/web/api/desk-api-plugin.js';
import { buildOpenApiDocument, openApiPath, type OpenApiDocument } from '../../../../src/desk/web/api/openapi-document.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../../helpers/desk-store-backends.js';
import { djangoLikeConfig, SUBMISSION } from '../../desk-fixtures.js';
import { documentValidator, PREFIX } from './api-test-app.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let database: DeskStoreDatabase;
let registered: { method: string; url: string }[];
let document: OpenApiDocument;

beforeAll(async () => {
  const backend = deskStoreBackends()[0];
  if (backend === undefined) throw new Error('no desk store backend');
  database = await backend.create();
  const desk = new Desk({ store: database.store, config: djangoLikeConfig(), clock: fixedClock('2025-06-02T15:00:00Z') });
  const app = Fastify();
  registered = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method: String(method), url: route.url });
  });
  await app.register(deskApiPlugin, { desk, prefix: PREFIX });
  await app.ready();
  const answer = await app.inject({ method: 'GET', url: `${PREFIX}/openapi.json` });
  expect(answer.statusCode).toBe(200);
  document = answer.json<OpenApiDocument>();
  await app.close();
});

afterAll(async () => {
  await database.dispose();
});

describe('the OpenAPI document of the desk API', () => {
  it('documents every route the plugin registers, with its method, and nothing else', () => {
    expect(registered.length).toBeGreaterThanOrEqual(16);
    const registeredOperations = registered.map(({ method, url }) => {
      expect(url.startsWith(`${PREFIX}/`), url).toBe(true);
      return `${method.toLowerCase()} ${openApiPath(url.slice(PREFIX.length))}`;
    });
    for (const operation of registeredOperations) {
      const [method = '', path = ''] = operation.split(' ');
      expect(document.paths[path]?.[method], `${operation} is registered but not documented`).toBeDefined();
    }
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual([...new Set(registeredOperations)].sort());
  });

  it('is the document built from the route table, at the prefix the plugin was mounted on', () => {
    expect(document).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(API_ROUTES, PREFIX))));
    expect(document.servers).toEqual([{ url: PREFIX }]);
  });

  it('has the shape of an OpenAPI 3.1 document', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.jsonSchemaDialect).toBe('https://spec.openapis.org/oas/3.1/dialect/base');
    expect(typeof document.info.title).toBe('string');
    expect(typeof document.info.version).toBe('string');
    expect(document.components.securitySchemes['bearerAuth']).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const operationIds = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      expect(path).toMatch(/^\/[a-z0-9{}/.-]*$/);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      for (const [method, operation] of Object.entries(operations)) {
        expect(METHODS).toContain(method);
        expect(operationIds.has(operation.operationId), operation.operationId).toBe(false);
        operationIds.add(operation.operationId);
        expect(operation.summary.length).toBeGreaterThan(0);
        const inPath = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect(inPath.map((parameter) => parameter.name).sort(), `${method} ${path}`).toEqual([...templated].sort());
        expect(inPath.every((parameter) => parameter.required)).toBe(true);
        const statuses = Object.keys(operation.responses);
        expect(statuses.length).toBeGreaterThan(0);
        for (const status of statuses) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(operation.responses[status]?.description.length).toBeGreaterThan(0);
        }
        if (method === 'get' || method === 'delete') expect(operation.requestBody).toBeUndefined();
      }
    }
  });

  it('asks a token of every operation but itself, and lists the roles and the 401/403 answers', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (path === '/openapi.json') {
          expect(operation.security).toEqual([]);
          continue;
        }
        expect(operation.security, `${method} ${path}`).toBeUndefined();
        expect(operation['x-vigil-roles']?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/reports/{id}/transitions']?.['post']?.['x-vigil-roles']).toEqual(['admin', 'responder']);
    expect(document.paths['/audit']?.['get']?.['x-vigil-roles']).toEqual(['admin']);
  });

  it('has only $refs that resolve, and schemas that compile as JSON Schema 2020-12 in strict mode', () => {
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(document.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    const validator = documentValidator(document);
    for (const id of Object.keys(document.components.schemas)) {
      expect(() => validator.compile({ $ref: `#/components/schemas/${id}` }), id).not.toThrow();
    }
  });

  it('describes request bodies the way the handlers check them', () => {
    const validate = documentValidator(document).compile(
      document.paths['/reports']?.['post']?.requestBody?.content['application/json']?.schema ?? {},
    );
    expect(validate(SUBMISSION)).toBe(true);
    expect(validate({ ...SUBMISSION, severity: 'high' })).toBe(false);
    expect(validate({ ...SUBMISSION, reporter: { ...SUBMISSION.reporter, email: 'ada' } })).toBe(false);
    const transition = documentValidator(document).compile({ $ref: '#/components/schemas/TransitionRequest' });
    expect(transition({ action: { kind: 'acknowledge' }, note: 'on it' })).toBe(true);
    expect(transition({ action: { kind: 'fast-forward' }, note: 'on it' })).toBe(false);
    expect(transition({ action: { kind: 'reject' }, note: 'no reason' })).toBe(false);
  });
});
