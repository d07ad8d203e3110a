package pedigree.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community in-process with only the Bolt connector, for Pedigree's
 * development server and tests.
 *
 * <p>Arguments: {@code --data-dir DIR --port N [--pagecache-mb N]}. Prints
 * {@code PEDIGREE_NEO4J_READY <port>} on stdout once Bolt accepts connections.
 * Stops gracefully on SIGTERM/SIGINT (shutdown hook) and also when stdin
 * reaches EOF: the Node parent holds our stdin open, so if it dies, even by
 * SIGKILL, the pipe closes and we do not outlive it.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parse(argv);
    Path dataDir = Path.of(require(args, "data-dir")).toAbsolutePath();
    int port = Integer.parseInt(require(args, "port"));
    long pagecacheMb = Long.parseLong(args.getOrDefault("pagecache-mb", "128"));

    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
        .build();

    AtomicBoolean stopped = new AtomicBoolean(false);
    CountDownLatch done = new CountDownLatch(1);
    Runnable stop = () -> {
      if (stopped.compareAndSet(false, true)) {
        try {
          dbms.shutdown();
        } finally {
          done.countDown();
        }
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.run();
      try {
        done.await();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "pedigree-neo4j-shutdown"));

    GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    // Touch the database so READY means "queries will be answered", not just "port bound".
    db.executeTransactionally("RETURN 1");
    System.out.println("PEDIGREE_NEO4J_READY " + port);
    System.out.flush();

    Thread parentWatch = new Thread(() -> {
      try (InputStream in = System.in) {
        byte[] buf = new byte[256];
        while (in.read(buf) >= 0) {
          // The parent writes nothing; we only wait for EOF.
        }
      } catch (IOException ignored) {
        // A broken pipe means the parent is gone, same as EOF.
      }
      System.err.println("pedigree-neo4j: parent closed stdin, shutting down");
      stop.run();
      System.exit(0);
    }, "pedigree-neo4j-parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();

    done.await();
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + a);
      }
      out.put(a.substring(2), argv[++i]);
    }
    return out;
  }

  private static String require(Map<String, String> args, String name) {
    String v = args.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("missing required argument --" + name);
    }
    return v;
  }
}
