// A socket transport's framing, for both ends: how received bytes become messages (and in which
// protocol they are), and how a message becomes wire bytes.
import { SizeError } from '../errors.ts';
import { framingOf, type TransportName } from '../axis.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { FrameSplitter, UnframedSplitter, type Splitter } from '../framing/splitters.ts';
import type { OutputBuffer } from '../protocol/output.ts';
import { readHeaderFrame, writeHeaderFrame, type HeaderInfo } from '../framing/theader.ts';

export interface Unwrapped {
  readonly message: Buffer;
  /** The protocol the message is in (a THeader frame names its own). */
  readonly protocol: ProtocolName;
  readonly header?: HeaderInfo;
}

export interface WrapInfo {
  readonly protocol: ProtocolName;
  readonly seqid: number;
  /** THeader: transforms to apply (ZLIB_TRANSFORM) and info headers to send. */
  readonly transforms?: readonly number[];
  readonly headers?: ReadonlyMap<string, string>;
}

export interface Framing {
  readonly splitter: Splitter;
  unwrap(unit: Buffer): Unwrapped | Promise<Unwrapped>;
  /** The wire bytes of a finished message (nothing is written to it afterwards). */
  wrap(message: OutputBuffer, info: WrapInfo): Buffer[] | Promise<Buffer[]>;
}

/** readProtocol: what unframed and framed messages are read as (THeader frames say it themselves). */
export function framingFor(transport: TransportName, readProtocol: ProtocolName, limits: Limits): Framing {
  switch (framingOf(transport)) {
    case 'unframed':
      return {
        splitter: new UnframedSplitter(readProtocol, limits),
        unwrap: (message) => ({ message, protocol: readProtocol }),
        wrap: (message) => message.finish(),
      };
    case 'framed':
      return {
        splitter: new FrameSplitter(limits),
        unwrap: (message) => ({ message, protocol: readProtocol }),
        wrap: (message) => {
          if (message.length > limits.maxFrameSize) throw new SizeError(`a message of ${message.length} bytes does not fit a frame (limit ${limits.maxFrameSize} bytes)`);
          return message.finishFramed();
        },
      };
    case 'header':
      return {
        splitter: new FrameSplitter(limits),
        unwrap: async (frame) => {
          const header = await readHeaderFrame(frame, limits);
          return { message: header.message, protocol: header.protocol, header };
        },
        wrap: (message, info) => writeHeaderFrame(message.finish(), message.length, info, limits),
      };
  }
}
