// Finds the implementations under test: every folder impls/<name>/ with an adapter.ts (ours and the
// libraries we test the same way), or the ones a run names with --implementation: an in-tree id, a
// path to an adapter module, or an npm package whose entry default-exports an adapter. The CLI hands
// the selection to the test run as CONFORMANCE_IMPLEMENTATIONS (a JSON array).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../docker/peers.ts';
import { validated } from '../schemas/validate.ts';
import type { AvroImplementation } from './avro.ts';
import type { ImplementationCapabilities } from './capabilities.ts';
import type { ThriftImplementation } from './thrift.ts';

export const IMPLS_DIR = join(REPO_ROOT, 'impls');
export const IMPLEMENTATIONS_ENV = 'CONFORMANCE_IMPLEMENTATIONS';

export type Adapter = AvroImplementation | ThriftImplementation;

export interface LoadedImplementation {
  readonly capabilities: ImplementationCapabilities;
  /** Where it comes from: "impls/avro", or the adapter's path or package name. */
  readonly source: string;
  /** Absolute path of the adapter module (what a test worker imports). */
  readonly modulePath: string;
  readonly adapter: Adapter;
}

/** impls/<name>/adapter.ts for every in-tree implementation, sorted by folder. */
export function inTreeAdapterPaths(root = IMPLS_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'adapter.ts')))
    .map((entry) => join(root, entry.name, 'adapter.ts'))
    .sort();
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /\.(ts|js|mjs|mts)$/.test(spec);
}

/** Resolves one --implementation value given from `cwd` to an absolute module path, or undefined for an in-tree id. */
export function resolveImplementationSpec(spec: string, cwd = process.cwd()): string | undefined {
  if (looksLikePath(spec)) {
    const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
    if (!existsSync(path)) throw new Error(`--implementation ${spec}: no such file (${path})`);
    return path;
  }
  if (inTreeAdapterPaths().some((p) => p.split('/').at(-2) === spec)) return undefined;
  try {
    return createRequire(join(cwd, 'package.json')).resolve(spec);
  } catch {
    return undefined; // an in-tree implementation id (checked against the loaded ones by the caller)
  }
}

async function importAdapter(modulePath: string): Promise<Adapter> {
  const module = (await import(pathToFileURL(modulePath).href)) as { default?: Adapter };
  const adapter = module.default;
  if (!adapter || typeof adapter !== 'object' || !('capabilities' in adapter)) {
    throw new Error(`${modulePath}: an implementation adapter must default-export an object with "capabilities" (see impls/README.md)`);
  }
  return adapter;
}

function sourceOf(modulePath: string): string {
  const rel = relative(REPO_ROOT, modulePath);
  return rel.startsWith('impls/') ? rel.split('/').slice(0, 2).join('/') : modulePath;
}

export async function loadAdapter(modulePath: string): Promise<LoadedImplementation> {
  const adapter = await importAdapter(modulePath);
  const source = sourceOf(modulePath);
  const capabilities = validated<ImplementationCapabilities>('capabilities', adapter.capabilities, `${source} (capabilities)`);
  const family = capabilities.family;
  if (capabilities.client.length > 0 && typeof adapter.connect !== 'function') throw new Error(`${source}: declares client offers but has no connect()`);
  const serves = family === 'avro' ? (adapter as AvroImplementation).listen : (adapter as ThriftImplementation).serve;
  if (capabilities.server.length > 0 && typeof serves !== 'function') throw new Error(`${source}: declares server offers but has no ${family === 'avro' ? 'listen' : 'serve'}()`);
  return { capabilities, source, modulePath, adapter };
}

/** The selection a run was given (CONFORMANCE_IMPLEMENTATIONS), or undefined for "every in-tree one". */
export function selectionFromEnv(): string[] | undefined {
  const raw = process.env[IMPLEMENTATIONS_ENV];
  return raw ? (JSON.parse(raw) as string[]) : undefined;
}

/**
 * Loads the implementations a run covers. `selection` holds in-tree ids and absolute module paths
 * (the CLI resolves paths and package names first); none means every in-tree implementation.
 */
export async function loadImplementations(selection = selectionFromEnv()): Promise<LoadedImplementation[]> {
  const inTree = await Promise.all(inTreeAdapterPaths().map(loadAdapter));
  if (!selection || selection.length === 0) return inTree;
  const chosen: LoadedImplementation[] = [];
  for (const item of selection) {
    if (isAbsolute(item)) {
      chosen.push(await loadAdapter(item));
      continue;
    }
    const found = inTree.filter((impl) => impl.capabilities.id === item || impl.source === `impls/${item}`);
    if (found.length === 0) {
      const known = [...new Set(inTree.map((i) => i.capabilities.id))].join(', ');
      throw new Error(`--implementation ${item}: no such implementation (in-tree ids: ${known}; or give a path to an adapter module, or an npm package name)`);
    }
    chosen.push(...found);
  }
  const ids = new Map<string, string>();
  for (const impl of chosen) {
    const key = `${impl.capabilities.family}:${impl.capabilities.id}`;
    const earlier = ids.get(key);
    if (earlier && earlier !== impl.source) throw new Error(`two implementations have the id ${impl.capabilities.id} in family ${impl.capabilities.family}: ${earlier} and ${impl.source}`);
    ids.set(key, impl.source);
  }
  return chosen;
}
