// Our own Thrift implementation: the IDL read at run time, the binary, compact and JSON protocols,
// the buffered, framed, zlib, THeader and HTTP transports over TCP, TLS and Unix sockets.
//
// The value model (what calls take and return, what handlers receive and answer):
//   bool -> boolean; i8, i16, i32 -> number; i64 -> bigint; double -> number; string -> string;
//   binary -> Buffer; uuid -> canonical lowercase "8-4-4-4-12" string (any 16 bytes);
//   enum -> its i32 value; struct, union, exception -> plain object of set fields;
//   list, set -> array; map -> Map (keys of any type, i64 keys as bigint).
//   A WrittenAs value where a struct is declared is written with the named struct's definition.
// Readers skip unknown fields, fill in IDL defaults for absent non-required fields, and refuse
// missing required ones.
export { connect, type ConnectOptions, type ThriftClient } from './client.ts';
export { serve, type Endpoint, type ServerEndpoint, type ServeOptions, type ThriftServer } from './server.ts';
export type { CallContext, Handler, Handlers } from './processor.ts';
export {
  ApplicationErrorType, applicationErrorTypeName, ClientTimeout, DeclaredException, ProtocolError, SizeError, TApplicationException,
  TransportError, ValueError, type ApplicationErrorTypeName,
} from './errors.ts';
export { WrittenAs, parseUuid, formatUuid } from './values.ts';
export { loadIdl, parseIdl } from './idl/load.ts';
export { Idl } from './idl/model.ts';
export { DEFAULT_LIMITS, type Limits } from './limits.ts';
export { MessageType } from './protocol/wire.ts';
export { protocolPlan, TRANSPORTS, type ProtocolPlan, type TransportName } from './axis.ts';
export type { ProtocolName } from './protocol/index.ts';
export { decodeAnswer, encodeMessage, encodeRequest, RawConnection, type DecodedAnswer, type DecodedOutcome, type RawOptions, type RequestSpec } from './raw.ts';
