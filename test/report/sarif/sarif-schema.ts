import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { shared } from '../../helpers/shared-data.js';

/**
 * The official SARIF 2.1.0 schema, compiled. It declares JSON Schema draft-04, which ajv 8 does
 * not ship; the schema uses no draft-04-only keyword (no boolean exclusiveMinimum/Maximum), so
 * it compiles as draft-07 once its draft-04 `id` is spelled `$id` and the `$schema` line dropped.
 */
export function compileSarifSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(shared('schemas', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  if (schema['$schema'] !== 'http://json-schema.org/draft-04/schema#') throw new Error(`unexpected SARIF schema draft ${String(schema['$schema'])}`);
  const draft07: Record<string, unknown> = { ...schema, $id: schema['id'] };
  delete draft07['$schema'];
  delete draft07['id'];
  const ajv = new Ajv.default({ allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(draft07);
}
