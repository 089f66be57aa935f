// The child of forked-child.test.ts: says it is ready, then answers { id, op } as the op says.
interface Message {
  readonly id: number;
  readonly op: 'echo' | 'hang' | 'die';
  readonly text?: string;
  readonly afterMs?: number;
}

process.on('message', (message: Message) => {
  if (message.op === 'echo') setTimeout(() => process.send?.({ id: message.id, echo: message.text }), message.afterMs ?? 0);
  else if (message.op === 'die') {
    process.stderr.write('first line\nsecond line\n\nlast words\n');
    // Time for the parent to read what was written before it sees the exit.
    setTimeout(() => process.exit(3), 100);
  }
  // 'hang': never answered.
});
process.send?.({ id: 0, ready: true });
process.on('disconnect', () => process.exit(0));
