// Reads of a socket a server accepted into a buffer of ours (net's `onread`), both stacks' servers.
//
// Node offers `onread` only to sockets it connects: every read of an accepted socket gets a fresh
// 64 KiB ArrayBuffer from net (shrunk to what was read), goes through the Readable stream (push,
// 'data', maybeReadMore's nextTick), and at 64 KiB that ArrayBuffer is external memory V8 counts
// against its old-generation limit. Measured before this module existed (impls/avro/profile,
// ninth and tenth passes): ~5-6 us of CPU per small call cross-process, and half of a 64 KiB echo
// server's external memory.
//
// How: the server accepts paused (pauseOnConnect), and a new net.Socket is made around the
// accepted socket's handle with `onread`, as net.connect does for its own sockets. This uses two
// things net does not document: the socket's `_handle` and the constructor's `handle` option for
// a handle that is not a BoundSocket (net.Server makes its sockets the same way). So it is probed
// (the handle must be a stream handle that can read into a user buffer) and falls back to the
// accepted socket as it is; the unit test fails when the probe does on the project's Node, so an
// upgrade that changes net is seen, not silently slower.
import { type OnReadOpts, Socket } from 'node:net';

interface StreamHandle {
  readStart(): number;
  readStop(): number;
  useUserBuffer(buffer: Uint8Array): void;
  close(callback?: () => void): void;
}

function streamHandleOf(socket: Socket): StreamHandle | undefined {
  const handle: unknown = Reflect.get(socket, '_handle');
  if (typeof handle !== 'object' || handle === null) return undefined;
  for (const method of ['readStart', 'readStop', 'useUserBuffer', 'close']) {
    if (typeof Reflect.get(handle, method) !== 'function') return undefined;
  }
  return handle as StreamHandle;
}

/**
 * The accepted socket (from a server made with pauseOnConnect, not read from yet, nothing listening
 * on it) re-made to read through onread: its chunks go to onread.callback and no 'data' event is
 * emitted. The old socket object gives up the handle and is destroyed when the new one closes, so
 * the server's count of connections (and server.close) stays right. Undefined when net's internals
 * are not as expected: the accepted socket is then resumed and stays as it was, with 'data' events.
 */
export function readInto(accepted: Socket, onread: OnReadOpts): Socket | undefined {
  const handle = streamHandleOf(accepted);
  if (handle === undefined || accepted.destroyed || !accepted.isPaused()) {
    accepted.resume();
    return undefined;
  }
  Reflect.set(accepted, '_handle', null);
  // The constructor's type names only a BoundSocket; net.Server passes its accepted handles the same way.
  const options = { handle, onread, allowHalfOpen: accepted.allowHalfOpen, readable: true, writable: true } as unknown as ConstructorParameters<typeof Socket>[0];
  const socket = new Socket(options);
  socket.once('close', () => accepted.destroy());
  return socket;
}
