// Writing to stdout or stderr and waiting for the stream to take it: the CLI never calls
// process.exit after writing, so a large `list --json` reaches a pipe whole.
export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve);
  });
}
