// JSON Schema checks for the project's data files (peer.json, capabilities.json, known-failures.json,
// known-flaky.json and the case catalogues): a file that does not fit its schema stops the run with
// the file's name and the first problems, instead of surfacing later as a strange cell or case.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Ajv as AjvInstance, ValidateFunction } from 'ajv';

export type SchemaName = 'peer' | 'capabilities' | 'known-failures' | 'known-flaky' | 'avro-cases' | 'thrift-cases' | 'hostile-cases' | 'bench-explanations';

const require = createRequire(import.meta.url);
const schemaText = (file: string): string => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
const COMMON = schemaText('common.schema.json');
const OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true, code: { source: true } } as const;
let ajv: AjvInstance | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

// Compiling a schema costs ajv ~0.35 s in each process that reads a data file (the CLI, vitest's
// workers, the server hosts: dozens per run, measured). ajv's standalone code of each validator is
// kept under node_modules/.cache, named by a hash of the schemas, ajv's version and the options,
// so a changed schema is compiled again; a process that cannot write there (a read-only mount)
// compiles for itself.
// The code requires ajv's runtime helpers by package name: it must stay below the node_modules that holds ajv.
export const VALIDATOR_CACHE = join(require.resolve('ajv/package.json'), '..', '..', '.cache', 'avro-thrift-conformance', 'ajv');

function validator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = loadValidator(name);
    compiled.set(name, validate);
  }
  return validate;
}

/** The schema's validator: ajv's standalone code kept in cacheDir, or compiled (and kept) when absent or unreadable. */
export function loadValidator(name: SchemaName, cacheDir = VALIDATOR_CACHE): ValidateFunction {
  const text = schemaText(`${name}.schema.json`);
  const hash = createHash('sha256').update(JSON.stringify([(require('ajv/package.json') as { version: string }).version, OPTIONS, COMMON, text])).digest('hex').slice(0, 16);
  const file = join(cacheDir, `${name}-${hash}.cjs`);
  try {
    const kept: unknown = require(file);
    if (typeof kept === 'function') return kept as ValidateFunction;
  } catch {
    // Absent, or not readable as code: compiled below.
  }
  return compileAndKeep(text, file);
}

function compileAndKeep(text: string, file: string): ValidateFunction {
  // ajv itself is loaded only to compile (its core is most of its load time).
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  ajv ??= new Ajv(OPTIONS).addSchema(JSON.parse(COMMON) as object);
  const validate = ajv.compile(JSON.parse(text) as object);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, standaloneCode(ajv, validate));
    renameSync(partial, file);
  } catch {
    // Not kept (read-only or full): this process uses what it compiled.
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
