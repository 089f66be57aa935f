// avro-js's server side, used as its documentation shows (doc/API.md, "IPC & RPC"): handlers
// registered with protocol.on(name, handler), and per exchange protocol.createListener with a
// stream factory for HTTP (stateless: the request is the readable, the response the writable) or
// per accepted socket with the socket (stateful, standard framing).
//
// Runs inside a worker thread (server-worker.ts): avro-js can throw outside any callback.
// What a user must add and this adds: an 'error' listener on the stateful listener and the
// socket (an error closes that connection only; avro-js has no policy of its own), and a log.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { AvroValue, HandshakeRecord } from '../../harness/contract/avro.ts';
import { recordStream, type WireRecorder } from '../wire/recorder.ts';
import { toLibraryError } from './errors.ts';
import { handshakeRecord } from './handshake.ts';
import { parseProtocol, type MessageListener } from './library.ts';
import { ProtocolSchemas } from './schema.ts';
import { ValueConverter } from './values.ts';

export interface ServerSide {
  /** Runs the suite's handler for a message with canonical parameters. */
  handle(message: string, parameters: Record<string, AvroValue>): Promise<AvroValue>;
  onHandshake(record: HandshakeRecord): void;
  /** A recorder for one accepted connection or HTTP exchange, if bytes are wanted. */
  connection(peer: string): WireRecorder | undefined;
  log(line: string): void;
}

export interface AvroJsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenAvroJs(address: string, protocolText: string, side: ServerSide): Promise<AvroJsServer> {
  const protocol = parseProtocol(protocolText);
  const values = new ValueConverter(new ProtocolSchemas(protocolText));
  for (const name of Object.keys(protocol.getMessages())) {
    protocol.on(name, (request, _listener, callback) => {
      let parameters: Record<string, AvroValue>;
      try {
        parameters = values.requestOut(name, request);
      } catch (error) {
        callback?.(toLibraryError(values, name, error));
        return;
      }
      side.handle(name, parameters).then(
        (response) => {
          let output: unknown;
          try {
            output = values.responseIn(name, response);
          } catch (error) {
            callback?.(toLibraryError(values, name, error));
            return;
          }
          callback?.(null, output);
        },
        (error: unknown) => callback?.(toLibraryError(values, name, error)),
      );
    });
  }
  const observe = (listener: MessageListener): void => {
    listener.on('handshake', (request, response) => {
      // avro-js emits the event with no request when it could not read one.
      if (request) side.onHandshake(handshakeRecord(request, response));
    });
  };

  const url = new URL(address);
  const host = url.hostname;
  const port = Number(url.port);
  if (url.protocol === 'http:') {
    const server = createHttpServer((req, res) => {
      const recorder = side.connection(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
      if (recorder) {
        req.on('data', (chunk: Buffer) => recorder.received(chunk));
        recordStream(res, recorder);
      }
      req.on('error', (error) => side.log(`http request: ${error.message}`));
      res.on('error', (error) => side.log(`http response: ${error.message}`));
      res.setHeader('Content-Type', 'avro/binary');
      observe(protocol.createListener((onWritable) => {
        onWritable(res);
        return req;
      }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }
  if (url.protocol === 'tcp:') {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      const recorder = side.connection(peer);
      if (recorder) recordStream(socket, recorder);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', (error) => side.log(`tcp ${peer}: ${error.message}`));
      const listener = protocol.createListener(socket);
      observe(listener);
      listener.on('error', (error) => {
        side.log(`tcp ${peer}: avro-js: ${error.message}; closing the connection`);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    };
  }
  throw new Error(`avro-js serves http:// (stateless) and tcp:// (stateful, standard framing) only, not ${url.protocol}`);
}
