// A child process for the hardening tests: it runs our server or our client, so that a test can
// read its memory and CPU, and so that a crash or a hang costs the child, not the test runner.
// Commands arrive over IPC as { id, op, ... } and are answered as { id, ok, ... }.
import { connectClient, listen, parseProtocol, type AvroServer, type Limits, type Protocol } from '../index.ts';
import { echoHandlers, protocolText } from './fixtures.ts';
import { revive, summarise } from './ipc-values.ts';

interface Command {
  readonly id: number;
  readonly op: 'listen' | 'usage' | 'call' | 'cached' | 'exit';
  readonly schemes?: readonly string[];
  readonly protocol?: string;
  readonly limits?: Partial<Limits>;
  readonly url?: string;
  readonly message?: string;
  readonly params?: unknown;
  readonly count?: number;
  readonly timeoutMs?: number;
}

const servers: AvroServer[] = [];
const byScheme = new Map<string, AvroServer>();
const protocols = new Map<string, Protocol>();

function protocolNamed(nameOrText: string | undefined): Protocol {
  const key = nameOrText ?? 'conformance';
  let protocol = protocols.get(key);
  if (!protocol) {
    protocol = parseProtocol(key.trimStart().startsWith('{') ? key : protocolText(key));
    protocols.set(key, protocol);
  }
  return protocol;
}

// RSS sampled every 10 ms: the highest value since the last usage report is that interval's peak
// (the process's lifetime peak would carry an earlier test's peak into the next one).
let peakSinceReport = process.memoryUsage.rss();
setInterval(() => {
  peakSinceReport = Math.max(peakSinceReport, process.memoryUsage.rss());
}, 10).unref();

/** rss; peakRss since the last report; retained: heap and external memory still referenced after a full GC. */
function usage(): Record<string, number> {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage.rss();
  const peakRss = Math.max(peakSinceReport, rss);
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const memory = process.memoryUsage();
  peakSinceReport = memory.rss;
  return { rss: memory.rss, peakRss, retained: memory.heapUsed + memory.external, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function call(command: Command): Promise<Record<string, unknown>> {
  const started = performance.now();
  try {
    const client = await connectClient(command.url ?? '', protocolNamed(command.protocol), {
      timeoutMs: command.timeoutMs ?? 2_000, limits: command.limits,
    });
    try {
      const value = await client.call(command.message ?? '', revive(command.params) as Record<string, unknown>);
      return { ok: true, value: summarise(value), ms: performance.now() - started };
    } finally {
      await client.close();
    }
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: { name: e.name, message: e.message }, ms: performance.now() - started };
  }
}

async function handle(command: Command): Promise<Record<string, unknown>> {
  switch (command.op) {
    case 'listen': {
      const ports: Record<string, number> = {};
      const protocol = protocolNamed(command.protocol);
      const failures: Record<string, string> = {};
      for (const scheme of command.schemes ?? []) {
        try {
          const server = await listen(`${scheme}://127.0.0.1:0/`, protocol, echoHandlers(protocol), { limits: command.limits });
          servers.push(server);
          byScheme.set(scheme, server);
          ports[scheme] = server.port;
        } catch (error) {
          failures[scheme] = String(error); // the tests of that scheme fail on the missing port
        }
      }
      return { ports, failures };
    }
    case 'usage':
      return usage();
    case 'cached':
      // Client protocols each server's responder holds in its handshake cache.
      return { cached: Object.fromEntries([...byScheme].map(([scheme, server]) => [scheme, server.responder.cachedClientProtocols])) };
    case 'call':
      return call(command);
    case 'exit':
      await Promise.all(servers.map((s) => s.close()));
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown op ${String(command.op)}`);
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (answer) => process.send?.({ id: command.id, ok: true, ...answer }),
    (error: unknown) => process.send?.({ id: command.id, ok: false, error: { name: 'ChildError', message: String(error) } }),
  );
});
process.send?.({ id: 0, ok: true, ready: true });
