// What a bench run measures. A group is one family, transport, protocol, payload and number of
// calls in flight against one reference peer; its contenders are measured in the same rounds:
//
//   reference   the peer's own client against the peer's own server (the 1.0 of every ratio)
//   client      an implementation's client against the peer's server   (ratio: its rate / reference)
//   server      the peer's client against an implementation's server   (ratio: its rate / reference)
//   floor       Node's raw loopback echo of the same bytes, no RPC at all
//   replay      a Node endpoint with canned messages in place of ours, against the same peer
//               (replay.ts, replay-avro.ts): "replay client" with the peer's server, "replay server" with its client
//
// Implementations come from impls/*/adapter.ts and their capabilities (ours and the libraries alike),
// peers from containers/*/peer.json: a contender exists wherever the offers meet, as in the matrix.
import type { ImplementationCapabilities } from '../harness/contract/capabilities.ts';
import type { Offer } from '../harness/matrix/axes.ts';
import type { Payload } from './protocol.ts';
import { replayable, replayServable } from './replay.ts';
import { avroReplayable, avroReplayServable } from './replay-avro.ts';

export type BenchFamilyName = 'avro' | 'thrift';

export interface Axis {
  readonly family: BenchFamilyName;
  readonly transport: string;
  readonly protocol: string;
}

export interface Shape {
  readonly payloadName: string;
  readonly payload: Payload;
  readonly inflight: number;
}

export const PAYLOADS: Readonly<Record<string, Payload>> = {
  int: { kind: 'int' },
  '64KiB': { kind: 'bytes', size: 64 * 1024 },
  '1MiB': { kind: 'bytes', size: 1024 * 1024 },
};

export const SHAPES: readonly Shape[] = ['int', '64KiB', '1MiB'].flatMap((payloadName) =>
  [1, 32].map((inflight) => ({ payloadName, payload: PAYLOADS[payloadName] as Payload, inflight })));

/** The transports and protocols measured by default (the full run). */
export const AXES: readonly Axis[] = [
  { family: 'avro', transport: 'tcp', protocol: 'conformance' },
  { family: 'avro', transport: 'netty', protocol: 'conformance' },
  { family: 'avro', transport: 'sasl', protocol: 'conformance' },
  { family: 'avro', transport: 'http', protocol: 'conformance' },
  { family: 'thrift', transport: 'framed', protocol: 'binary' },
  { family: 'thrift', transport: 'framed', protocol: 'compact' },
  { family: 'thrift', transport: 'buffered', protocol: 'binary' },
  { family: 'thrift', transport: 'http', protocol: 'binary' },
];

/** Transports whose connections carry many calls at once (answers matched by a serial): 32 in flight on one connection. */
const MULTIPLEXED = new Set(['avro/netty']);

/** The server kind a peer or implementation serves a transport with, in order of preference (thread per connection where there is a choice). */
const SERVER_KIND_PREFERENCE = ['threadpool', 'threaded', 'servlet', 'http', 'createServer', 'createWebServer'];

/**
 * Shapes measured against a peer, where not all of them ("payload/in flight"): Python's clients
 * and servers are one interpreter under the GIL, far below Java with large payloads, where a
 * window sees a handful of calls; those rows say little and the run's time bound cannot afford them.
 */
const PEER_SHAPES: Readonly<Record<string, readonly string[]>> = {
  'python-avro': ['int/1', 'int/32', '64KiB/1'],
  'python-thrift': ['int/1', 'int/32', '64KiB/1'],
};

/** Peer folder per family; the first is the peer of the library rows. */
export const PEERS: Readonly<Record<BenchFamilyName, readonly string[]>> = {
  avro: ['java-avro', 'python-avro'],
  thrift: ['java-thrift', 'python-thrift'],
};

/**
 * Contenders left out on purpose, with the reason the report prints. A field that is absent
 * matches everything; `impl` is an implementation id or a peer id, `role` its role in the pair.
 */
export interface Exclusion {
  readonly peer?: string;
  readonly impl?: string;
  readonly role?: 'client' | 'server';
  readonly transport?: string;
  readonly reason: string;
}

export const EXCLUDED: readonly Exclusion[] = [
  { peer: 'python-thrift', transport: 'http', reason: 'THttpClient sends the headers and the body in two writes without TCP_NODELAY: every call waits for the delayed ACK (about 40 ms), orders of magnitude below the others' },
  { impl: 'avro-js', reason: 'no call completes against Java or Python on the conformance protocol: avro-js renders the protocol text of its handshake so that they cannot parse it (suites/known-failures.json avro-js-protocol-text-unparsable-*), and its stateful emitter and listener do not speak stateful Avro (avro-js-stateful-emitter-not-standard, avro-js-stateful-listener-not-standard)' },
  { peer: 'java-avro', impl: 'avsc5', role: 'client', transport: 'http', reason: 'avsc 5\'s HTTP client fails every second call to Jetty with "write EPIPE" or "socket hang up" when it reuses a connection (seen here with echoInt; not in suites/known-failures.json: the conformance cases make few calls per client)' },
];

function excluded(peer: string, impl: string, role: 'client' | 'server', transport: string): boolean {
  return EXCLUDED.some((e) => (e.peer === undefined || e.peer === peer) && (e.impl === undefined || e.impl === impl)
    && (e.role === undefined || e.role === role) && (e.transport === undefined || e.transport === transport));
}

export interface Participant {
  /** "ours", "avsc5", "java", "python", "raw". */
  readonly id: string;
  readonly kind: 'node' | 'peer' | 'raw';
  /** node: the adapter module; peer: the peer folder. */
  readonly source: string;
  readonly client: readonly Offer[];
  readonly server: readonly Offer[];
  /**
   * node: a host process instead of a container (--host-agents). A twin with it (hostTwin) is
   * measured wherever its original is, so that one run compares the two placements round by round.
   */
  readonly onHost?: boolean;
}

/** The same implementation as a host process, under its own id ("ours@host"). */
export function hostTwin(p: Participant): Participant {
  return { ...p, id: `${p.id}@host`, onHost: true };
}

export interface AgentRef {
  readonly participant: Participant;
  readonly family: BenchFamilyName | 'raw';
  readonly role: 'client' | 'server';
  /**
   * A Node agent for HTTP groups only. A Node process that serves or calls over HTTP loads
   * node:http, and with it in the heap V8 ran 4-10 times more full collections per 64 KiB call
   * (impls/thrift/profile/README.md, "Eighth pass"). So the stream transports' rows are measured in
   * processes that never speak HTTP, as a service that does not would run them.
   */
  readonly http?: true;
}

export function agentKey(ref: AgentRef): string {
  return `${ref.participant.id}/${ref.family}/${ref.role}${ref.http ? '/http' : ''}`;
}

export interface Listener {
  readonly key: string;
  readonly family: BenchFamilyName | 'raw';
  readonly transport: string;
  readonly protocol: string;
  readonly serverKind?: string;
  /** A replay listener answers the echo of one payload. */
  readonly payload?: Payload;
}

export type ContenderKind = 'reference' | 'client' | 'server' | 'floor' | 'replay';

export interface Contender {
  /** "ours client", "java client → java server", "raw floor", "replay client". */
  readonly name: string;
  readonly kind: ContenderKind;
  /** The implementation measured (the peer for the reference). */
  readonly impl: string;
  readonly client: AgentRef;
  readonly server: AgentRef;
  readonly listener: Listener;
  readonly connections: number;
  readonly inflight: number;
}

export interface Group {
  /** "avro/http/conformance/int/1/java". */
  readonly id: string;
  readonly axis: Axis;
  readonly shape: Shape;
  readonly peer: string;
  readonly contenders: readonly Contender[];
}

function matches(offer: Offer, axis: Axis): boolean {
  return offer.transport === axis.transport && offer.protocol === axis.protocol && (offer.socket ?? 'tcp') === 'tcp';
}

function serverKind(offers: readonly Offer[], axis: Axis): string | undefined {
  const kinds = offers.filter((o) => matches(o, axis)).map((o) => o.serverKind ?? '');
  if (kinds.length === 0) return undefined;
  return [...kinds].sort((a, b) => rank(a) - rank(b))[0];
}

function rank(kind: string): number {
  const i = SERVER_KIND_PREFERENCE.indexOf(kind);
  return i < 0 ? SERVER_KIND_PREFERENCE.length : i;
}

export function nodeParticipant(capabilities: ImplementationCapabilities, modulePath: string): Participant {
  return { id: capabilities.id, kind: 'node', source: modulePath, client: capabilities.client, server: capabilities.server };
}

export function peerParticipant(id: string, folder: string, client: readonly Offer[], server: readonly Offer[]): Participant {
  return { id, kind: 'peer', source: folder, client, server };
}

export const RAW: Participant = { id: 'raw', kind: 'raw', source: 'raw', client: [], server: [] };
export const REPLAY: Participant = { id: 'replay', kind: 'raw', source: 'replay', client: [], server: [] };

/** The replay floor's two rows: its client against the peer's server, the peer's client against its server. */
export const REPLAY_CLIENT = 'replay client';
export const REPLAY_SERVER = 'replay server';

export interface PlanInput {
  readonly axes: readonly Axis[];
  readonly shapes: readonly Shape[];
  /** Per family: implementations (ours first) and peers (the first one gets the library rows). */
  readonly implementations: Readonly<Record<BenchFamilyName, readonly Participant[]>>;
  readonly peers: Readonly<Record<BenchFamilyName, readonly Participant[]>>;
  /** Library rows against the first peer only (default), or ours only. */
  readonly libraries: boolean;
  /**
   * The raw floor in every one-call-in-flight group, of every peer: the rows of ours below 1.0 are
   * judged by it (bench/explanations.json), against Python's pair as against Java's.
   */
  readonly floor: boolean;
}

export function listenerKey(family: string, transport: string, protocol: string): string {
  return `${family}-${transport}-${protocol}`;
}

/** Every group of the run, in a stable order: family, axis, shape, peer. */
export function planGroups(input: PlanInput): Group[] {
  const groups: Group[] = [];
  for (const axis of input.axes) {
    const peers = input.peers[axis.family];
    for (const shape of input.shapes) {
      peers.forEach((peer, peerIndex) => {
        if (EXCLUDED.some((e) => e.peer === peer.source && e.impl === undefined && e.transport === axis.transport)) return;
        if (PEER_SHAPES[peer.source] && !PEER_SHAPES[peer.source]?.includes(`${shape.payloadName}/${shape.inflight}`)) return;
        const peerKind = serverKind(peer.server, axis);
        if (peerKind === undefined || !peer.client.some((o) => matches(o, axis))) return;
        const multiplexed = MULTIPLEXED.has(`${axis.family}/${axis.transport}`) && shape.inflight > 1;
        const connections = multiplexed ? 1 : shape.inflight;
        const inflight = multiplexed ? shape.inflight : 1;
        const peerListener: Listener = { key: listenerKey(axis.family, axis.transport, axis.protocol), family: axis.family, transport: axis.transport, protocol: axis.protocol, serverKind: peerKind };
        const ref = (participant: Participant, role: 'client' | 'server'): AgentRef =>
          ({ participant, family: axis.family, role, ...(participant.kind !== 'peer' && axis.transport === 'http' ? { http: true as const } : {}) });
        const contenders: Contender[] = [{
          name: `${peer.id} client → ${peer.id} server`, kind: 'reference', impl: peer.id,
          client: ref(peer, 'client'), server: ref(peer, 'server'), listener: peerListener, connections, inflight,
        }];
        // Ours (first) and its host twin everywhere; the libraries against the first peer only.
        const list = input.implementations[axis.family];
        const impls = list.filter((impl, i) => i === 0 || (impl.onHost === true && impl.id === `${list[0]?.id}@host`) || (input.libraries && peerIndex === 0));
        for (const impl of impls) {
          if (impl.client.some((o) => matches(o, axis)) && !excluded(peer.source, impl.id, 'client', axis.transport)) {
            contenders.push({ name: `${impl.id} client`, kind: 'client', impl: impl.id, client: ref(impl, 'client'), server: ref(peer, 'server'), listener: peerListener, connections, inflight });
          }
        }
        for (const impl of impls) {
          const kind = serverKind(impl.server, axis);
          if (kind !== undefined && !excluded(peer.source, impl.id, 'server', axis.transport)) {
            contenders.push({
              name: `${impl.id} server`, kind: 'server', impl: impl.id, client: ref(peer, 'client'), server: ref(impl, 'server'),
              listener: { ...peerListener, serverKind: kind }, connections, inflight,
            });
          }
        }
        // The floor at one call in flight: the round trip a stateful transport is held to (issue 15).
        if (input.floor && shape.inflight === 1) {
          contenders.push({
            name: 'raw floor', kind: 'floor', impl: 'raw',
            client: { participant: RAW, family: 'raw', role: 'client' }, server: { participant: RAW, family: 'raw', role: 'server' },
            listener: { key: 'raw', family: 'raw', transport: 'raw', protocol: 'raw' }, connections: shape.inflight, inflight: 1,
          });
        }
        // The replay floor wherever each connection carries one call at a time (framed and buffered
        // Thrift, Avro tcp, sasl and netty, and the server side of HTTP; int and 64 KiB; one
        // connection, or 32 side by side, as the group's rows have): each row of ours is judged
        // against Node doing no RPC work with the same peer on the other side. Not for 32 calls
        // pipelined on one connection (Avro Netty x32): the canned answers follow one call at a time.
        const replayServes = replayServable(axis.family, axis.transport, axis.protocol) || avroReplayServable(axis.family, axis.transport);
        // Over HTTP the replay client posts on a plain socket (replay-http.ts) wherever a replay server answers.
        const replays = replayable(axis.family, axis.transport, axis.protocol) || avroReplayable(axis.family, axis.transport) || (replayServes && axis.transport === 'http');
        if (input.floor && inflight === 1 && shape.payloadName !== '1MiB' && replayServes) {
          if (replays) {
            contenders.push({ name: REPLAY_CLIENT, kind: 'replay', impl: 'replay', client: ref(REPLAY, 'client'), server: ref(peer, 'server'), listener: peerListener, connections, inflight: 1 });
          }
          contenders.push({
            name: REPLAY_SERVER, kind: 'replay', impl: 'replay', client: ref(peer, 'client'), server: ref(REPLAY, 'server'),
            listener: { key: `replay-${peerListener.key}-${shape.payloadName}`, family: axis.family, transport: axis.transport, protocol: axis.protocol, payload: shape.payload },
            connections, inflight: 1,
          });
        }
        if (contenders.length > 1) {
          groups.push({ id: `${axis.family}/${axis.transport}/${axis.protocol}/${shape.payloadName}/${shape.inflight}/${peer.id}`, axis, shape, peer: peer.id, contenders });
        }
      });
    }
  }
  return groups;
}

/** Listeners each server agent must serve for these groups (by agent key). */
export function listenersByAgent(groups: readonly Group[]): Map<string, { ref: AgentRef; listeners: Map<string, Listener> }> {
  const out = new Map<string, { ref: AgentRef; listeners: Map<string, Listener> }>();
  for (const group of groups) {
    for (const c of group.contenders) {
      const key = agentKey(c.server);
      const entry = out.get(key) ?? { ref: c.server, listeners: new Map<string, Listener>() };
      entry.listeners.set(c.listener.key, c.listener);
      out.set(key, entry);
    }
  }
  return out;
}

/** Client agents these groups need (by agent key). */
export function clientAgents(groups: readonly Group[]): Map<string, AgentRef> {
  const out = new Map<string, AgentRef>();
  for (const group of groups) for (const c of group.contenders) out.set(agentKey(c.client), c.client);
  return out;
}
