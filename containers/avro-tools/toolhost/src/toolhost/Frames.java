package toolhost;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * What a call sends back to the driver, in order: frames of one kind byte, a 4-byte big-endian
 * length and the payload. 'o' stdout bytes, 'e' stderr bytes, 'x' the exit status (4 bytes), or
 * instead of all of them 'h' (the host refuses the call; UTF-8 reason).
 *
 * <p>Tool threads only queue frames here; one connection thread writes them to the socket. A tool
 * thread may be interrupted at any time (SocketServer.close interrupts its connection threads while
 * they may be printing), and an interrupted write would close an NIO channel: the call's own
 * connection must not be the channel that closes.
 */
final class Frames {
  static final byte STDOUT = 'o';
  static final byte STDERR = 'e';
  static final byte EXIT = 'x';
  static final byte REFUSED = 'h';

  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private boolean ended;

  synchronized void add(byte kind, byte[] data, int offset, int length) {
    if (ended) {
      return; // after the exit status (a thread the tool left behind), or the driver has gone
    }
    ByteBuffer frame = ByteBuffer.allocate(5 + length);
    frame.put(kind).putInt(length).put(data, offset, length).flip();
    queue.add(frame);
    notifyAll();
  }

  synchronized void exit(int status) {
    add(EXIT, ByteBuffer.allocate(4).putInt(status).array(), 0, 4);
    ended = true;
  }

  synchronized void refuse(String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    add(REFUSED, text, 0, text.length);
    ended = true;
  }

  /** The driver has gone: nothing more is sent. */
  synchronized void discard() {
    queue.clear();
    ended = true;
    notifyAll();
  }

  /** The next frame to write; null once the last one is written. */
  synchronized ByteBuffer next() throws InterruptedException {
    while (queue.isEmpty() && !ended) {
      wait();
    }
    return queue.poll();
  }

  /** An output stream of one kind of frame (a call's stdout or stderr). */
  OutputStream stream(byte kind) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        add(kind, new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int offset, int length) {
        add(kind, b, offset, length);
      }
    };
  }
}
