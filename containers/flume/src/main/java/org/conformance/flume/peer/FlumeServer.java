package org.conformance.flume.peer;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.JZlibDecoder;
import io.netty.handler.codec.compression.JZlibEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.apache.flume.source.avro.Status;

/**
 * One listener: avro-ipc-netty's NettyServer with a responder for AvroSourceProtocol, set up the
 * way Flume's AvroSource sets it up (deflate: JZlib inflater and deflater, level 6, first in the
 * pipeline, so the whole stream is compressed).
 *
 * <p>Semantics (suites/avro/data/programs/README.md): a call is answered OK when its events are
 * exactly those of a call that one of the listener's cases makes (the plan's "cases", else every
 * Flume case), FAILED otherwise. Every call and its answer are logged.
 */
final class FlumeServer implements AvroSourceProtocol {
  private final String key;
  private final Set<String> expected = new HashSet<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private NettyServer server;

  FlumeServer(String key, List<FlumeCases.FlumeCase> cases) {
    this.key = key;
    for (FlumeCases.FlumeCase flumeCase : cases) {
      for (FlumeCases.Call call : flumeCase.calls()) expected.add(digest(call.message(), call.events()));
    }
  }

  void start(String host, int port, boolean deflate) throws InterruptedException {
    SpecificResponder responder = new SpecificResponder(AvroSourceProtocol.class, this);
    server = new NettyServer(responder, new InetSocketAddress(host, port), channel -> {
      if (deflate) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst("deflater", new JZlibEncoder(6));
        pipeline.addFirst("inflater", new JZlibDecoder());
      }
    });
  }

  int port() {
    return server.getPort();
  }

  @Override
  public Status append(AvroFlumeEvent event) {
    return answer("append", List.of(event));
  }

  @Override
  public Status appendBatch(List<AvroFlumeEvent> events) {
    return answer("appendBatch", events);
  }

  private Status answer(String message, List<AvroFlumeEvent> events) {
    List<FlumeCases.Event> received = new ArrayList<>(events.size());
    for (AvroFlumeEvent event : events) received.add(plain(event));
    boolean known = expected.contains(digest(message, received));
    int count = (known ? accepted : refused).incrementAndGet();
    Main.log("[" + key + "] " + message + " " + FlumeCases.describe(received) + " -> "
        + (known ? "OK (" + count + " accepted so far)" : "FAILED: no case makes this call (" + count + " refused so far)"));
    return known ? Status.OK : Status.FAILED;
  }

  private static FlumeCases.Event plain(AvroFlumeEvent event) {
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<CharSequence, CharSequence> header : event.getHeaders().entrySet()) {
      headers.put(header.getKey().toString(), header.getValue().toString());
    }
    ByteBuffer body = event.getBody().duplicate();
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    return new FlumeCases.Event(headers, bytes);
  }

  /** A call's identity: message, then per event its headers in key order and its body. */
  static String digest(String message, List<FlumeCases.Event> events) {
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buffer);
      writeChunk(out, message.getBytes(StandardCharsets.UTF_8));
      out.writeInt(events.size());
      for (FlumeCases.Event event : events) {
        Map<String, String> sorted = new TreeMap<>(event.headers());
        out.writeInt(sorted.size());
        for (Map.Entry<String, String> header : sorted.entrySet()) {
          writeChunk(out, header.getKey().getBytes(StandardCharsets.UTF_8));
          writeChunk(out, header.getValue().getBytes(StandardCharsets.UTF_8));
        }
        writeChunk(out, event.body());
      }
      out.flush();
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buffer.toByteArray()));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeChunk(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }
}
