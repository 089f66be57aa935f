// JSON Schema checks for the project's data files (peer.json, capabilities.json, known-failures.json,
// known-flaky.json and the case catalogues): a file that does not fit its schema stops the run with
// the file's name and the first problems, instead of surfacing later as a strange cell or case.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

export type SchemaName = 'peer' | 'capabilities' | 'known-failures' | 'known-flaky' | 'avro-cases' | 'thrift-cases' | 'hostile-cases' | 'bench-explanations';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addSchema(JSON.parse(readFileSync(new URL('./common.schema.json', import.meta.url), 'utf8')) as object);
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(readFileSync(new URL(`./${name}.schema.json`, import.meta.url), 'utf8')) as object;
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
}

/** Returns the data as T when it fits the schema; throws a DataFileError naming the file otherwise. */
export function validated<T>(name: SchemaName, data: unknown, file: string): T {
  const validate = validator(name);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).slice(0, 8).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    throw new DataFileError(`${file} does not fit harness/schemas/${name}.schema.json:\n${problems.join('\n')}`);
  }
  return data as T;
}
