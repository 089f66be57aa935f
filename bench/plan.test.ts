import { describe, expect, it } from 'vitest';
import { clientAgents, hostTwin, listenersByAgent, peerParticipant, planGroups, REPLAY, SHAPES, type Participant } from './plan.ts';

const framed = { transport: 'framed', protocol: 'binary' };
const java = peerParticipant('java', 'java-thrift', [framed], [{ ...framed, serverKind: 'simple' }, { ...framed, serverKind: 'threadpool' }]);
const python = peerParticipant('python', 'python-thrift', [framed], [{ ...framed, serverKind: 'threaded' }]);
const ours: Participant = { id: 'ours', kind: 'node', source: 'impls/thrift/adapter.ts', client: [framed], server: [{ ...framed, serverKind: 'ours' }] };
const library: Participant = { id: 'npm-thrift', kind: 'node', source: 'impls/npm-thrift/adapter.ts', client: [framed], server: [] };

function plan(libraries: boolean, floor: boolean) {
  return planGroups({
    axes: [{ family: 'thrift', ...framed }], shapes: SHAPES,
    implementations: { avro: [], thrift: [ours, library] }, peers: { avro: [], thrift: [java, python] }, libraries, floor,
  });
}

describe('planGroups', () => {
  it('measures every shape against every peer, the reference first, libraries against the first peer only, the floor against every peer', () => {
    const groups = plan(true, true);
    const javaInt = groups.find((g) => g.id === 'thrift/framed/binary/int/1/java');
    expect(javaInt?.contenders.map((c) => c.name)).toEqual(['java client → java server', 'ours client', 'npm-thrift client', 'ours server', 'raw floor', 'replay client', 'replay server']);
    const pythonInt = groups.find((g) => g.id === 'thrift/framed/binary/int/1/python');
    expect(pythonInt?.contenders.map((c) => c.name)).toEqual(['python client → python server', 'ours client', 'ours server', 'raw floor', 'replay client', 'replay server']);
  });

  it('puts the replay floor beside the peer: its client against the peer\'s server, the peer\'s client against its server on a listener per payload', () => {
    const groups = plan(false, true);
    const at64 = groups.find((g) => g.id === 'thrift/framed/binary/64KiB/1/java');
    const client = at64?.contenders.find((c) => c.name === 'replay client');
    const server = at64?.contenders.find((c) => c.name === 'replay server');
    expect(client?.client.participant.id).toBe('replay');
    expect(client?.server.participant.id).toBe('java');
    expect(server?.client.participant.id).toBe('java');
    expect(server?.server.participant.id).toBe('replay');
    expect(server?.listener).toMatchObject({ key: 'replay-thrift-framed-binary-64KiB', payload: { kind: 'bytes', size: 65536 } });
    // Not at 1 MiB (the floors' time is spent where rows of ours are judged by them), nor with more calls in flight.
    expect(groups.find((g) => g.id === 'thrift/framed/binary/1MiB/1/java')?.contenders.some((c) => c.kind === 'replay')).toBe(false);
    // 32 connections with a call each: the replay floor on as many connections as the group's rows.
    const at32 = groups.find((g) => g.id === 'thrift/framed/binary/int/32/java')?.contenders.filter((c) => c.kind === 'replay');
    expect(at32?.map((c) => [c.name, c.connections, c.inflight])).toEqual([['replay client', 32, 1], ['replay server', 32, 1]]);
  });

  it('puts the replay floor beside Thrift over HTTP, in HTTP agents of its own', () => {
    const http = { transport: 'http', protocol: 'binary' };
    const peer = peerParticipant('java', 'java-thrift', [http], [{ ...http, serverKind: 'servlet' }]);
    const node: Participant = { id: 'ours', kind: 'node', source: 'impls/thrift/adapter.ts', client: [http], server: [{ ...http, serverKind: 'ours' }] };
    const groups = planGroups({ axes: [{ family: 'thrift', ...http }], shapes: SHAPES, implementations: { avro: [], thrift: [node] }, peers: { avro: [], thrift: [peer] }, libraries: false, floor: true });
    const int32 = groups.find((g) => g.id === 'thrift/http/binary/int/32/java');
    expect(int32?.contenders.map((c) => c.name)).toEqual(['java client → java server', 'ours client', 'ours server', 'replay client', 'replay server']);
    expect(int32?.contenders.find((c) => c.name === 'replay server')?.server).toEqual({ participant: REPLAY, family: 'thrift', role: 'server', http: true });
    expect(int32?.contenders.find((c) => c.name === 'replay client')?.client).toEqual({ participant: REPLAY, family: 'thrift', role: 'client', http: true });
    expect(groups.filter((g) => g.contenders.some((c) => c.kind === 'replay')).map((g) => g.id).sort()).toEqual(
      ['int', '64KiB'].flatMap((p) => [1, 32].map((n) => `thrift/http/binary/${p}/${n}/java`)).sort());
  });

  it('puts the Avro replay floor beside the stream transports (tcp, sasl, netty) and HTTP, not beside pipelined calls', () => {
    const axes = ['tcp', 'sasl', 'netty', 'http'].map((transport) => ({ family: 'avro' as const, transport, protocol: 'conformance' }));
    const offers = axes.map(({ transport, protocol }) => ({ transport, protocol }));
    const peer = peerParticipant('java', 'java-avro', offers, offers.map((o) => ({ ...o, serverKind: o.transport })));
    const node: Participant = { id: 'ours', kind: 'node', source: 'impls/avro/adapter.ts', client: offers, server: offers };
    const groups = planGroups({ axes, shapes: SHAPES, implementations: { avro: [node], thrift: [] }, peers: { avro: [peer], thrift: [] }, libraries: false, floor: true });
    const withReplay = groups.filter((g) => g.contenders.some((c) => c.kind === 'replay')).map((g) => g.id);
    // Netty carries its 32 calls pipelined on one connection, which canned answers cannot follow.
    expect(withReplay.sort()).toEqual([
      ...['tcp', 'sasl', 'netty', 'http'].flatMap((t) => ['int', '64KiB'].map((p) => `avro/${t}/conformance/${p}/1/java`)),
      ...['tcp', 'sasl', 'http'].flatMap((t) => ['int', '64KiB'].map((p) => `avro/${t}/conformance/${p}/32/java`)),
    ].sort());
    // HTTP: the replay floor in agents of their own for HTTP (node:http stays out of the stream transports' agents).
    const http = groups.find((g) => g.id === 'avro/http/conformance/int/32/java');
    expect(http?.contenders.map((c) => c.name)).toEqual(['java client → java server', 'ours client', 'ours server', 'replay client', 'replay server']);
    expect(http?.contenders.find((c) => c.name === 'replay server')?.server).toEqual({ participant: REPLAY, family: 'avro', role: 'server', http: true });
    const sasl = groups.find((g) => g.id === 'avro/sasl/conformance/64KiB/1/java');
    expect(sasl?.contenders.map((c) => c.name)).toEqual(['java client → java server', 'ours client', 'ours server', 'raw floor', 'replay client', 'replay server']);
    const server = sasl?.contenders.find((c) => c.name === 'replay server');
    expect(server?.server).toMatchObject({ participant: { id: 'replay' }, family: 'avro' });
    expect(server?.listener).toMatchObject({ key: 'replay-avro-sasl-conformance-64KiB', family: 'avro', transport: 'sasl', payload: { kind: 'bytes', size: 65536 } });
    expect(sasl?.contenders.find((c) => c.name === 'replay client')?.listener.key).toBe('avro-sasl-conformance');
  });

  it('keeps the floor to one call in flight and Python to the shapes it can carry in the time bound', () => {
    const ids = plan(true, true).map((g) => g.id);
    expect(plan(true, true).find((g) => g.id === 'thrift/framed/binary/int/32/java')?.contenders.some((c) => c.kind === 'floor')).toBe(false);
    expect(ids.filter((id) => id.endsWith('/python'))).toEqual(['thrift/framed/binary/int/1/python', 'thrift/framed/binary/int/32/python', 'thrift/framed/binary/64KiB/1/python']);
    expect(ids.filter((id) => id.endsWith('/java'))).toHaveLength(6);
  });

  it('serves the peer with its preferred server kind (a thread per connection) and ours with its own', () => {
    const group = plan(false, false).find((g) => g.id === 'thrift/framed/binary/int/1/java');
    expect(group?.contenders.find((c) => c.kind === 'reference')?.listener.serverKind).toBe('threadpool');
    expect(group?.contenders.find((c) => c.kind === 'server')?.listener.serverKind).toBe('ours');
  });

  it('opens one connection per call in flight on a transport without multiplexing', () => {
    const group = plan(false, false).find((g) => g.id === 'thrift/framed/binary/64KiB/32/java');
    for (const c of group?.contenders ?? []) expect([c.connections, c.inflight]).toEqual([32, 1]);
  });

  it('pipelines 32 calls on one connection where the transport multiplexes (Avro Netty)', () => {
    const netty = { transport: 'netty', protocol: 'conformance' };
    const peer = peerParticipant('java', 'java-avro', [netty], [{ ...netty, serverKind: 'netty' }]);
    const node: Participant = { id: 'ours', kind: 'node', source: 'impls/avro/adapter.ts', client: [netty], server: [netty] };
    const groups = planGroups({ axes: [{ family: 'avro', ...netty }], shapes: SHAPES, implementations: { avro: [node], thrift: [] }, peers: { avro: [peer], thrift: [] }, libraries: false, floor: false });
    const group = groups.find((g) => g.id === 'avro/netty/conformance/int/32/java');
    expect(group?.contenders.map((c) => [c.connections, c.inflight])).toEqual([[1, 32], [1, 32], [1, 32]]);
  });

  it('lists each server agent once with the listeners it must serve, and each client agent once', () => {
    const groups = plan(true, true);
    const servers = listenersByAgent(groups);
    expect([...servers.keys()].sort()).toEqual(['java/thrift/server', 'ours/thrift/server', 'python/thrift/server', 'raw/raw/server', 'replay/thrift/server']);
    expect([...(servers.get('java/thrift/server')?.listeners.keys() ?? [])]).toEqual(['thrift-framed-binary']);
    expect([...clientAgents(groups).keys()].sort()).toEqual(['java/thrift/client', 'npm-thrift/thrift/client', 'ours/thrift/client', 'python/thrift/client', 'raw/raw/client', 'replay/thrift/client']);
  });

  it('gives a Node implementation\'s HTTP groups agents of their own, so that its stream rows run in processes without node:http', () => {
    const http = { transport: 'http', protocol: 'binary' };
    const withHttp = (p: Participant): Participant => ({ ...p, client: [...p.client, http], server: [...p.server, { ...http, serverKind: 'ours' }] });
    const groups = planGroups({
      axes: [{ family: 'thrift', ...framed }, { family: 'thrift', ...http }], shapes: SHAPES,
      implementations: { avro: [], thrift: [withHttp(ours)] }, peers: { avro: [], thrift: [withHttp(java)] }, libraries: false, floor: false,
    });
    const servers = listenersByAgent(groups);
    expect([...servers.keys()].sort()).toEqual(['java/thrift/server', 'ours/thrift/server', 'ours/thrift/server/http']);
    expect([...(servers.get('ours/thrift/server')?.listeners.values() ?? [])].map((l) => l.transport)).toEqual(['framed']);
    expect([...(servers.get('ours/thrift/server/http')?.listeners.values() ?? [])].map((l) => l.transport)).toEqual(['http']);
    expect([...(servers.get('java/thrift/server')?.listeners.values() ?? [])].map((l) => l.transport).sort()).toEqual(['framed', 'http']);
    expect([...clientAgents(groups).keys()].sort()).toEqual(['java/thrift/client', 'ours/thrift/client', 'ours/thrift/client/http']);
  });

  it('leaves out what EXCLUDED names, and a peer without a server for the axis', () => {
    const http = { transport: 'http', protocol: 'binary' };
    const peer = peerParticipant('python', 'python-thrift', [http], [{ ...http, serverKind: 'http' }]);
    const groups = planGroups({ axes: [{ family: 'thrift', ...http }], shapes: SHAPES, implementations: { avro: [], thrift: [ours] }, peers: { avro: [], thrift: [peer] }, libraries: false, floor: false });
    expect(groups).toEqual([]);
  });
});

describe('hostTwin', () => {
  it('measures ours as a host process wherever ours is measured, libraries or not, under its own name', () => {
    const twin = hostTwin(ours);
    expect(twin).toMatchObject({ id: 'ours@host', kind: 'node', source: ours.source, onHost: true });
    const groups = planGroups({
      axes: [{ family: 'thrift', ...framed }], shapes: SHAPES,
      implementations: { avro: [], thrift: [ours, twin, library] }, peers: { avro: [], thrift: [java, python] }, libraries: false, floor: false,
    });
    for (const g of groups) {
      const names = g.contenders.map((c) => c.name);
      expect(names).toContain('ours client');
      expect(names).toContain('ours@host client');
      expect(names).toContain('ours@host server');
      expect(names).not.toContain('npm-thrift client');
    }
    expect([...clientAgents(groups).keys()]).toContain('ours@host/thrift/client');
  });
});
