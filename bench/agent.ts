// The Node bench agent: one process per implementation and role, driven by the line protocol of
// protocol.ts. It reaches an implementation only through its adapter (harness/contract/), exactly
// as the conformance suites do, so our rows and the library rows are measured the same way.
//
//   node bench/agent.ts <adapter module path>   an implementation (impls/<name>/adapter.ts)
//   node bench/agent.ts raw                     the raw loopback floor (raw.ts)
//   node bench/agent.ts replay                  the replay floor: canned Thrift calls and replies (replay.ts),
//                                               canned Avro calls and responses on the stream transports (replay-avro.ts)
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Server } from 'node:net';
import type { AvroImplementation, AvroServerHandle } from '../harness/contract/avro.ts';
import type { ThriftImplementation, ThriftServerHandle } from '../harness/contract/thrift.ts';
import { pathToFileURL } from 'node:url';
import { gcTotals } from './gc-clock.ts';
import { closedLoop, type LoopResult } from './load.ts';
import { PAYLOAD_INT, payloadBytes, type Answer, type Command, type ListenerSpec, type Payload, type RunCommand } from './protocol.ts';
import { RawClient, serveRaw } from './raw.ts';
import { openReplayClient, openReplayHttpClient, serveReplay, serveReplayHttp } from './replay.ts';
import { AvroHttpReplayClient, AvroReplayClient, serveAvroHttpReplay, serveAvroReplay } from './replay-avro.ts';

// Resolved from this file, so that the agent loads nothing of the harness beyond the contract's types.
const REPO_ROOT = new URL('../', import.meta.url).pathname.replace(/\/$/, '');
const AVRO_PROTOCOL = `${REPO_ROOT}/suites/avro/data/protocols/conformance.avpr`;
const THRIFT_IDL = `${REPO_ROOT}/suites/thrift/data/conformance.thrift`;
const THRIFT_HTTP_PATH = '/thrift';

interface Echo {
  readonly message: string;
  readonly value: number | Buffer;
  matches(answer: unknown): boolean;
}

function echoOf(family: 'avro' | 'thrift', payload: Payload): Echo {
  if (payload.kind === 'int') {
    return { message: family === 'avro' ? 'echoInt' : 'echoI32', value: PAYLOAD_INT, matches: (answer) => answer === PAYLOAD_INT };
  }
  const bytes = payloadBytes(payload.size);
  return { message: family === 'avro' ? 'echoBytes' : 'echoBinary', value: bytes, matches: (answer) => Buffer.isBuffer(answer) && answer.equals(bytes) };
}

const AVRO_SCHEMES: Readonly<Record<string, string>> = { http: 'http', tcp: 'tcp', netty: 'netty', 'netty-deflate': 'netty-deflate', sasl: 'avro' };

function avroTarget(spec: { transport: string; host: string; port: number }) {
  const scheme = AVRO_SCHEMES[spec.transport];
  if (!scheme) throw new Error(`no Avro URL scheme for transport ${spec.transport}`);
  return { url: `${scheme}://${spec.host}:${spec.port}/`, transport: spec.transport, protocol: { name: 'conformance', text: readFileSync(AVRO_PROTOCOL, 'utf8') } };
}

function thriftEndpoint(spec: { transport: string; protocol: string; host: string; port: number }) {
  return {
    transport: spec.transport, protocol: spec.protocol, socket: 'tcp' as const, host: spec.host, port: spec.port,
    httpPath: THRIFT_HTTP_PATH, idl: { path: THRIFT_IDL, text: readFileSync(THRIFT_IDL, 'utf8') },
  };
}

interface Closable {
  close(): Promise<void> | void;
}

class NodeAgent {
  private readonly servers: Closable[] = [];
  private readonly implementation: Adapter | Floor;

  constructor(implementation: Adapter | Floor) {
    this.implementation = implementation;
  }

  async serve(listeners: readonly ListenerSpec[]): Promise<Record<string, string>> {
    const failed: Record<string, string> = {};
    for (const l of listeners) {
      try {
        this.servers.push(await this.serveOne(l));
      } catch (error) {
        failed[l.key] = error instanceof Error ? error.message : String(error);
      }
    }
    return failed;
  }

  private async serveOne(l: ListenerSpec): Promise<Closable> {
    if (this.implementation === 'raw' || this.implementation === 'replay') {
      let server: Server;
      if (this.implementation === 'raw') server = await serveRaw(l.host, l.port);
      else if (l.payload && l.family === 'avro' && l.transport === 'http') server = await serveAvroHttpReplay(l.host, l.port, l.payload);
      else if (l.payload && l.family === 'avro') server = await serveAvroReplay(l.host, l.port, { transport: l.transport, payload: l.payload });
      else if (l.payload && l.transport === 'http') server = await serveReplayHttp(l.host, l.port, { transport: l.transport, protocol: l.protocol, payload: l.payload });
      else if (l.payload) server = await serveReplay(l.host, l.port, { transport: l.transport, protocol: l.protocol, payload: l.payload });
      else throw new Error(`a replay listener answers one payload's echo, and ${l.key} names none`);
      return { close: () => new Promise<void>((done) => server.close(() => done())) };
    }
    const adapter = this.implementation;
    if (l.family === 'avro') {
      const listen = (adapter as AvroImplementation).listen;
      if (!listen) throw new Error('this implementation has no Avro server');
      const target = avroTarget(l);
      // A server wants a handler for every message of its protocol; only the two echoes are called.
      const messages = Object.keys((JSON.parse(target.protocol.text) as { messages?: object }).messages ?? {});
      const notMeasured = (): never => { throw new Error('not a bench message'); };
      const echo = (request: Readonly<Record<string, unknown>>): unknown => request['value'];
      const handlers = Object.fromEntries(messages.map((name) => [name, name === 'echoInt' || name === 'echoBytes' ? echo : notMeasured]));
      const handle: AvroServerHandle = await listen(target, handlers, {});
      return handle;
    }
    const serve = (adapter as ThriftImplementation).serve;
    if (!serve) throw new Error('this implementation has no Thrift server');
    const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
    const handle: ThriftServerHandle = await serve({ ...thriftEndpoint(l), serverKind: l.serverKind ?? 'ours', services: ['Conformance'] },
      { Conformance: { echoI32: echo, echoBinary: echo } }, {});
    return handle;
  }

  async run(command: RunCommand): Promise<LoopResult> {
    const slots: Array<() => Promise<void>> = [];
    const closers: Array<() => Promise<void> | void> = [];
    const { target } = command;
    try {
      if (this.implementation === 'raw' || this.implementation === 'replay') {
        if (command.inflight !== 1) throw new Error(`a ${this.implementation} connection carries one message at a time (inflight 1)`);
        const payload = command.payload.kind === 'int' ? Buffer.alloc(4) : payloadBytes(command.payload.size);
        if (command.payload.kind === 'int') payload.writeInt32BE(PAYLOAD_INT, 0);
        for (let c = 0; c < command.connections; c++) {
          const client = this.implementation === 'raw'
            ? await RawClient.open(target.host, target.port, payload)
            : await openReplay(target, command.payload, command.timeoutMs);
          closers.push(() => client.close());
          slots.push(() => client.call());
        }
      } else {
        if (target.family === 'raw') throw new Error('an implementation does not speak the raw floor');
        const echo = echoOf(target.family, command.payload);
        const adapter = this.implementation;
        for (let c = 0; c < command.connections; c++) {
          let call: () => Promise<unknown>;
          if (target.family === 'avro') {
            const connect = (adapter as AvroImplementation).connect;
            if (!connect) throw new Error('this implementation has no Avro client');
            const client = await connect(avroTarget(target), { timeoutMs: command.timeoutMs });
            closers.push(() => client.close());
            const request = { value: echo.value };
            call = () => client.call(echo.message, request);
          } else {
            const connect = (adapter as ThriftImplementation).connect;
            if (!connect) throw new Error('this implementation has no Thrift client');
            const client = await connect(thriftEndpoint(target), { timeoutMs: command.timeoutMs });
            closers.push(() => client.close());
            const args = { value: echo.value };
            call = () => client.call('Conformance', echo.message, args);
          }
          for (let k = 0; k < command.inflight; k++) {
            slots.push(async () => {
              const answer = await call();
              if (!echo.matches(answer)) throw new Error(`the echo differs from the request (${describe(answer)})`);
            });
          }
        }
      }
      return await closedLoop(slots, { warmupMs: command.warmupMs, durationMs: command.durationMs, drainMs: command.timeoutMs });
    } finally {
      for (const close of closers) {
        try {
          await close();
        } catch {
          // closing is not measured; a client that fails to close changes nothing here
        }
      }
    }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.servers.map((s) => s.close()));
  }
}

type Adapter = AvroImplementation | ThriftImplementation;

/** One replay client connection to a peer's server (replay.ts, replay-avro.ts; over HTTP, replay-http.ts). */
function openReplay(target: RunCommand['target'], payload: Payload, timeoutMs: number): Promise<{ call(): Promise<void>; close(): void }> {
  const { host, port, transport } = target;
  if (target.family === 'avro') {
    return transport === 'http' ? AvroHttpReplayClient.open(host, port, payload) : AvroReplayClient.open(host, port, { transport, payload }, timeoutMs);
  }
  const spec = { transport, protocol: target.protocol, payload };
  return transport === 'http' ? openReplayHttpClient(host, port, THRIFT_HTTP_PATH, spec) : openReplayClient(host, port, spec);
}
/** The floors: no implementation, canned bytes (raw.ts, replay.ts, replay-avro.ts). */
type Floor = 'raw' | 'replay';

/** The adapter module's default export (the orchestrator checked its capabilities when it planned the run). */
async function importAdapter(path: string): Promise<Adapter> {
  const module = (await import(pathToFileURL(path).href)) as { default?: Adapter };
  if (!module.default) throw new Error(`${path} has no default export`);
  return module.default;
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return `bytes of length ${value.length}`;
  return typeof value === 'object' ? JSON.stringify(value)?.slice(0, 80) ?? String(value) : String(value);
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main(): Promise<void> {
  const spec = process.argv[2];
  if (!spec) throw new Error('usage: node bench/agent.ts <adapter module path> | raw | replay');
  const agent = new NodeAgent(spec === 'raw' || spec === 'replay' ? spec : await importAdapter(spec));
  const write = (answer: Answer): void => { process.stdout.write(`${JSON.stringify(answer)}\n`); };
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const command = JSON.parse(line) as Command & { id: number };
    try {
      switch (command.op) {
        case 'serve':
          write({ id: command.id, ok: true, failed: await agent.serve(command.listeners) });
          break;
        case 'run':
          write({ id: command.id, ok: true, ...(await agent.run(command)) });
          break;
        case 'cpu': {
          const cpu = process.cpuUsage();
          const loop = performance.eventLoopUtilization();
          const gc = gcTotals();
          write({
            id: command.id, ok: true, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopActiveMs: loop.active, loopIdleMs: loop.idle,
            gcPauseSeconds: gc.pauseSeconds, markCompacts: gc.markCompacts,
          });
          break;
        }
        case 'exit':
          await agent.closeAll();
          write({ id: command.id, ok: true });
          // process.exit writes a --cpu-prof profile, as a normal end does.
          process.exit(0);
      }
    } catch (error) {
      write({ id: command.id, ok: false, error: message(error) });
    }
  }
  await agent.closeAll();
  process.exit(0);
}

await main();
