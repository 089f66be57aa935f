// The groups of `npm run bench -- --quick`: one stateless and one multiplexed Avro transport, the
// main Thrift protocols, one call in flight and 32, small and 64 KiB payloads; ours against Java
// only. Few enough to run in well under a minute once the images exist.
export const QUICK_GROUPS: readonly string[] = [
  'avro/http/conformance/int/1/java',
  'avro/netty/conformance/64KiB/32/java',
  'thrift/framed/binary/int/1/java',
  'thrift/framed/compact/64KiB/32/java',
];
