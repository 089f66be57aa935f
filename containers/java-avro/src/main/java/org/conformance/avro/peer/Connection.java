package org.conformance.avro.peer;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.AvroRemoteException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.Decoder;
import org.apache.avro.ipc.Callback;
import org.apache.avro.ipc.Transceiver;
import org.apache.avro.ipc.generic.GenericRequestor;
import org.conformance.peer.common.KeyedLog;

/** One client connection: a transceiver of the cell's transport and a GenericRequestor speaking one protocol. */
final class Connection implements AutoCloseable {
  /** How long one call may take; a case whose calls are issued at once allows this from the moment they were issued. */
  static final int CALL_TIMEOUT_MILLIS = Integer.getInteger("conformance.callTimeoutMillis", 10_000);

  /** Runs calls so that they can be bounded in time; daemon threads: a call stuck in a transceiver must not keep the JVM alive. */
  static final ExecutorService POOL = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "call");
    thread.setDaemon(true);
    return thread;
  });

  final Protocol protocol;
  private final Transceiver transceiver;
  private final GenericRequestor requestor;

  Connection(Plan.Cell cell, Protocol protocol) throws IOException {
    this.protocol = protocol;
    this.transceiver = Transports.open(cell.transport(), cell.host(), cell.port(), CALL_TIMEOUT_MILLIS);
    this.requestor = new GenericRequestor(protocol, transceiver) {
      @Override
      public Exception readError(Schema writer, Schema reader, Decoder in) throws IOException {
        // Tell a system error the server sent (the string branch) from every client-side failure.
        Exception error = super.readError(writer, reader, in);
        return error instanceof AvroRemoteException ? error : new ServerSystemError(error.getMessage());
      }
    };
  }

  /** The string branch of an error union, as the server sent it. */
  static final class ServerSystemError extends AvroRuntimeException {
    ServerSystemError(String message) {
      super(message);
    }
  }

  /**
   * A call that ended without an answer or a declared error: a system error sent by the server, or a
   * failure on the client's side (transport, decoding, timeout).
   */
  static final class CallError extends Exception {
    final boolean clientSide;

    CallError(String message, boolean clientSide) {
      super(message);
      this.clientSide = clientSide;
    }
  }

  /** What a call ended with: exactly one of an answer (possibly null), a declared error, a call error. */
  record Outcome(Object response, AvroRemoteException declared, CallError error) {
    static Outcome of(Throwable thrown) {
      if (thrown instanceof ExecutionException && thrown.getCause() != null) thrown = thrown.getCause();
      if (thrown instanceof AvroRemoteException remote) return new Outcome(null, remote, null);
      if (thrown instanceof ServerSystemError system) return new Outcome(null, null, new CallError(system.getMessage(), false));
      return new Outcome(null, null, new CallError(thrown.toString(), true));
    }
  }

  /** One call in this thread, as long as the transceiver takes. */
  Outcome call(String message, GenericRecord request) {
    try {
      return new Outcome(requestor.request(message, request), null, null);
    } catch (Exception | LinkageError e) {
      return Outcome.of(e);
    }
  }

  /** One call bounded by CALL_TIMEOUT_MILLIS; after a timeout the connection is closed (its state is unknown). */
  Outcome callBounded(String message, GenericRecord request) {
    String key = KeyedLog.key();
    Future<Outcome> future = POOL.submit(() -> {
      KeyedLog.setKey(key);
      return call(message, request);
    });
    try {
      return future.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      close();
      return new Outcome(null, null, new CallError("no answer within " + CALL_TIMEOUT_MILLIS + " ms", true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(null, null, new CallError("interrupted", true));
    } catch (ExecutionException e) {
      return Outcome.of(e);
    }
  }

  /** An asynchronous call (NettyTransceiver writes it at once and matches the answer by its serial). */
  void callAsync(String message, GenericRecord request, java.util.function.Consumer<Outcome> done) {
    try {
      requestor.request(message, request, new Callback<Object>() {
        @Override
        public void handleResult(Object result) {
          done.accept(new Outcome(result, null, null));
        }

        @Override
        public void handleError(Throwable error) {
          done.accept(Outcome.of(error));
        }
      });
    } catch (Exception | LinkageError e) {
      done.accept(Outcome.of(e));
    }
  }

  @Override
  public void close() {
    try {
      transceiver.close();
    } catch (IOException | RuntimeException e) {
      KeyedLog.log("closing the transceiver: " + e);
    }
  }
}
