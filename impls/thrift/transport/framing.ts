// A socket transport's framing, for both ends: how received bytes become messages (and in which
// protocol they are), and how a message becomes wire bytes.
import { SizeError } from '../errors.ts';
import { framingOf, type TransportName } from '../axis.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { FrameSplitter, frameSegments, UnframedSplitter, type Splitter } from '../framing/splitters.ts';
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
  wrap(segments: Buffer[], length: number, info: WrapInfo): Buffer[] | Promise<Buffer[]>;
}

/** readProtocol: what unframed and framed messages are read as (THeader frames say it themselves). */
export function framingFor(transport: TransportName, readProtocol: ProtocolName, limits: Limits): Framing {
  switch (framingOf(transport)) {
    case 'unframed':
      return {
        splitter: new UnframedSplitter(readProtocol, limits),
        unwrap: (message) => ({ message, protocol: readProtocol }),
        wrap: (segments) => segments,
      };
    case 'framed':
      return {
        splitter: new FrameSplitter(limits),
        unwrap: (message) => ({ message, protocol: readProtocol }),
        wrap: (segments, length) => {
          if (length > limits.maxFrameSize) throw new SizeError(`a message of ${length} bytes does not fit a frame (limit ${limits.maxFrameSize} bytes)`);
          return frameSegments(segments, length);
        },
      };
    case 'header':
      return {
        splitter: new FrameSplitter(limits),
        unwrap: async (frame) => {
          const header = await readHeaderFrame(frame, limits);
          return { message: header.message, protocol: header.protocol, header };
        },
        wrap: (segments, length, info) => writeHeaderFrame(segments, length, info, limits),
      };
  }
}
