package toolhost;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.apache.avro.tool.Tool;

/**
 * One tool call, run the way avro-tools' Main runs it in a fresh process: a fresh Tool instance,
 * {@code tool.run(stdin, stdout, stderr, arguments)} on a thread named "main", the return code as
 * the exit status, and an exception that escapes printed as the JVM prints an uncaught exception
 * ("Exception in thread "main" " and the stack trace) with exit status 1.
 *
 * <p>What a process's exit would do is done here when the tool returns (exitAsProcessWould): the
 * sockets the call left open are closed, threads it left running are interrupted, and the static
 * state it touched is reset (FreshProcessState).
 */
final class Call {
  /** rpcsend calls run one at a time: they share the static state that FreshProcessState resets. */
  static final Semaphore EXCLUSIVE = new Semaphore(1);

  private static final InheritableThreadLocal<Call> CURRENT = new InheritableThreadLocal<>();
  private static final long ABANDON_GRACE_MILLIS = 5000;

  private final long number;
  private final List<String> argv;
  private final Frames frames;
  private final ThreadGroup group;
  private final PrintStream out;
  private final PrintStream err;
  private final List<Channel> channels = new ArrayList<>();
  private volatile Tool tool;
  private boolean finished;
  private boolean abandoned;

  Call(long number, List<String> argv, Frames frames) {
    this.number = number;
    this.argv = List.copyOf(argv);
    this.frames = frames;
    this.group = new ThreadGroup("call-" + number);
    // As the JDK builds System.out and System.err: buffered, flushed on every println and write.
    this.out = new PrintStream(new BufferedOutputStream(frames.stream(Frames.STDOUT), 8192), true,
        CallStreams.charset("stdout.encoding"));
    this.err = new PrintStream(new BufferedOutputStream(frames.stream(Frames.STDERR), 8192), true,
        CallStreams.charset("stderr.encoding"));
  }

  /** The call the current thread works for (inherited by every thread a call's thread creates). */
  static Call current() {
    return CURRENT.get();
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  boolean exclusive() {
    return "rpcsend".equals(argv.get(0));
  }

  void start() {
    new Thread(group, this::run, "main").start();
  }

  /** A socket or server socket opened by one of this call's threads (CallChannels). */
  synchronized void opened(Channel channel) {
    channels.add(channel);
  }

  private void run() {
    CURRENT.set(this);
    List<URL> httpUrls = httpUrls();
    FreshProcessState.beforeCall();
    if (exclusive()) {
      FreshProcessState.beforeExclusiveCall(httpUrls);
    }
    int status = runAsMainWould();
    exitAsProcessWould(status, httpUrls);
  }

  private int runAsMainWould() {
    try {
      Tool created = Tools.create(argv.get(0));
      if (created == null) {
        err.println("toolhost: the host does not run the tool '" + argv.get(0) + "' (it runs: " + Tools.names() + ")");
        return 1;
      }
      tool = created;
      int code = created.run(InputStream.nullInputStream(), out, err, argv.subList(1, argv.size()));
      return code & 0xff; // System.exit(code): a process's status is the low eight bits
    } catch (Throwable thrown) {
      err.print("Exception in thread \"main\" ");
      thrown.printStackTrace(err);
      return 1;
    }
  }

  private void exitAsProcessWould(int status, List<URL> httpUrls) {
    out.flush();
    err.flush();
    closeChannels();
    if (exclusive()) {
      FreshProcessState.afterExclusiveCall(httpUrls, status != 0);
    }
    synchronized (this) {
      finished = true;
    }
    // Threads the tool left behind would die with the process; here they are asked to end.
    for (Thread thread : liveThreads()) {
      if (thread != Thread.currentThread()) {
        thread.interrupt();
      }
    }
    if (exclusive()) {
      EXCLUSIVE.release();
    }
    frames.exit(status);
  }

  /** The driver closed the connection: abandons the call if it has not ended (as a killed process). */
  void driverLeft() {
    synchronized (this) {
      if (finished || abandoned) {
        return;
      }
      abandoned = true;
    }
    frames.discard();
    ToolHost.log("call " + number + " (" + summary() + ") abandoned by the driver before it ended: stopping it");
    FreshProcessState.closeReceiveServer(tool);
    group.interrupt();
    closeChannels();
    Thread check = new Thread(() -> {
      try {
        Thread.sleep(ABANDON_GRACE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      List<Thread> left = liveThreads();
      if (!left.isEmpty()) {
        ToolHost.log("call " + number + ": " + left.size() + " thread(s) still running " + ABANDON_GRACE_MILLIS
            + " ms after it was abandoned: " + left.stream().map(Thread::getName).collect(Collectors.joining(", "))
            + (exclusive() ? " (further rpcsend calls are refused until its main thread ends)" : ""));
      }
    }, "call-" + number + "-abandon-check");
    check.setDaemon(true);
    check.start();
  }

  private void closeChannels() {
    List<Channel> open;
    synchronized (this) {
      open = new ArrayList<>(channels);
      channels.clear();
    }
    for (Channel channel : open) {
      try {
        channel.close();
      } catch (IOException e) {
        ToolHost.log("call " + number + ": closing a channel: " + e);
      }
    }
  }

  private List<Thread> liveThreads() {
    Thread[] threads = new Thread[group.activeCount() + 8];
    int count = group.enumerate(threads, true);
    return Arrays.asList(threads).subList(0, count);
  }

  /** The call's http:// arguments: the URLs whose kept-alive connections belong to it. */
  private List<URL> httpUrls() {
    List<URL> urls = new ArrayList<>();
    for (String argument : argv) {
      if (argument.startsWith("http://")) {
        try {
          urls.add(new URI(argument).toURL());
        } catch (Exception e) {
          // not a URL the tool could open either
        }
      }
    }
    return urls;
  }

  private String summary() {
    String text = String.join(" ", argv);
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
