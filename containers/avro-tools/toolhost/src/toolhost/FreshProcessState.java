package toolhost;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.apache.avro.ipc.Ipc;
import org.apache.avro.ipc.Requestor;
import org.apache.avro.ipc.Server;
import org.apache.avro.tool.Main;
import org.apache.avro.tool.RpcReceiveTool;
import org.apache.avro.tool.Tool;

/**
 * Static state that outlives a call in one JVM and would change what the next call does, reset so
 * that every call starts as a fresh process does. Read in avro 1.12.2 (Requestor, Ipc,
 * RpcReceiveTool) and OpenJDK 21 (sun.net.www.http); every field is looked up when the host starts
 * (verify) and the host does not start without it.
 *
 * <ul>
 *   <li>{@code org.apache.avro.ipc.Requestor.REMOTE_HASHES} (remote name to server hash) and
 *       {@code REMOTE_PROTOCOLS} (hash to protocol): a requestor remembers the server's hash by the
 *       transceiver's remote name (the URL, or the socket address). A process's first call to a
 *       server sends the client's own hash as the server hash; a warm JVM's second rpcsend to the
 *       same address would send the remembered one, and the handshake would differ. Cleared before
 *       and after every rpcsend; rpcsend calls run one at a time (Call.EXCLUSIVE).
 *   <li>The JDK's HTTP keep-alive cache ({@code sun.net.www.http.HttpClient.kac}): HttpTransceiver
 *       reads the whole response, so HttpURLConnection keeps the connection for reuse. A process
 *       exits and the connection closes; in a warm JVM the next rpcsend to the same URL would
 *       reuse it (and the server would see several calls on one connection). The call's URLs are
 *       taken out of the cache and their connections closed, before and after every rpcsend.
 *       (Setting http.keepAlive=false instead would change the request's Connection header.)
 *   <li>{@code org.apache.avro.ipc.Ipc.warned}: rpcreceive over http:// logs a deprecation ERROR
 *       line once per JVM. Reset before every call, so that each rpcreceive's stderr has it as a
 *       process's has (stderr only; no byte on the wire depends on it).
 * </ul>
 *
 * Not state, but what a process's exit does: sockets a call left open are closed (Call and
 * CallChannels), and an HTTP connection that an rpcsend failure left outside the cache is closed
 * by a garbage collection (the JDK's socket cleaner), as exit would close it.
 */
final class FreshProcessState {
  private static Map<?, ?> remoteHashes;
  private static Map<?, ?> remoteProtocols;
  private static Field ipcWarned;
  private static Object keepAliveCache;
  private static Method keepAliveTake;
  private static Method closeConnection;
  private static Field receiveServer;

  private FreshProcessState() {}

  static void verify() throws ReflectiveOperationException {
    remoteHashes = (Map<?, ?>) field(Requestor.class, "REMOTE_HASHES").get(null);
    remoteProtocols = (Map<?, ?>) field(Requestor.class, "REMOTE_PROTOCOLS").get(null);
    ipcWarned = field(Ipc.class, "warned");
    if (ipcWarned.getType() != boolean.class) {
      throw new IllegalStateException("org.apache.avro.ipc.Ipc.warned is not a boolean");
    }
    receiveServer = field(RpcReceiveTool.class, "server");
    if (receiveServer.getType() != Server.class) {
      throw new IllegalStateException("RpcReceiveTool.server is not an org.apache.avro.ipc.Server");
    }
    Class<?> httpClient = Class.forName("sun.net.www.http.HttpClient");
    keepAliveCache = field(httpClient, "kac").get(null);
    keepAliveTake = keepAliveCache.getClass().getMethod("get", URL.class, Object.class);
    closeConnection = httpClient.getMethod("closeServer");
    Tools.verify();
    String version = Main.class.getPackage().getImplementationVersion();
    ToolHost.log("avro-tools " + version + ": static state to reset found (checked against avro 1.12.2 and OpenJDK 21)");
  }

  private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new NoSuchFieldException(owner.getName() + "." + name + ": the host cannot make calls behave as fresh processes without it");
    }
  }

  static void beforeCall() {
    try {
      ipcWarned.setBoolean(null, false);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  static void beforeExclusiveCall(List<URL> httpUrls) {
    remoteHashes.clear();
    remoteProtocols.clear();
    closeKeptAlive(httpUrls);
  }

  static void afterExclusiveCall(List<URL> httpUrls, boolean failed) {
    closeKeptAlive(httpUrls);
    remoteHashes.clear();
    remoteProtocols.clear();
    if (failed && !httpUrls.isEmpty()) {
      System.gc();
    }
  }

  /** Takes every cached connection to these URLs out of the JDK's keep-alive cache and closes it. */
  private static void closeKeptAlive(List<URL> urls) {
    try {
      for (URL url : urls) {
        Object connection;
        while ((connection = keepAliveTake.invoke(keepAliveCache, url, null)) != null) {
          closeConnection.invoke(connection);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the JDK's keep-alive cache could not be emptied", e);
    }
  }

  /** An abandoned rpcreceive: its server closed by the tool's own close (as run2 would have). */
  static void closeReceiveServer(Tool tool) {
    if (!(tool instanceof RpcReceiveTool)) {
      return;
    }
    try {
      Server server = (Server) receiveServer.get(tool);
      if (server != null) {
        server.close();
      }
    } catch (IllegalAccessException | RuntimeException e) {
      ToolHost.log("closing an abandoned rpcreceive's server: " + e);
    }
  }
}
