// Writing a message's parts to a socket in few buffers (both stacks: Avro's framings and Thrift's transports).

/** Parts up to this size are copied together into one buffer; larger ones are written as they are. */
const COALESCE_BYTES = 4096;

/**
 * The same bytes in fewer buffers: runs of small parts (framing headers, call headers, small
 * values) joined, large parts left alone. Each buffer written costs a stream request of its own.
 */
export function coalesce(parts: readonly Buffer[]): readonly Buffer[] {
  if (parts.length < 2) return parts;
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const flush = (): void => {
    if (run.length === 1) out.push(run[0] as Buffer);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const part of parts) {
    if (part.length === 0) continue;
    if (part.length >= COALESCE_BYTES) {
      flush();
      out.push(part);
    } else {
      if (runBytes + part.length > COALESCE_BYTES) flush();
      run.push(part);
      runBytes += part.length;
    }
  }
  flush();
  return out;
}
