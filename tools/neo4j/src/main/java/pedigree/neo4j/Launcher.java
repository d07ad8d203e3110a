package pedigree.neo4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * <p>Arguments: {@code --data-dir DIR --port N [--pagecache-mb N]}. The first
 * line on stdin is the password the {@code neo4j} user gets for this run: it
 * never appears on the command line, in the environment or in a log, where
 * any local user could read it. Authentication is on, so a Bolt client
 * without it is refused. The password is set in the system database before
 * {@code PEDIGREE_NEO4J_READY <port>} is printed on stdout; on a store made
 * before authentication was on, the same statement replaces the unused
 * default password.
 *
 * <p>Stops gracefully on SIGTERM/SIGINT (shutdown hook) and also when stdin
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
    String password = readPasswordLine(System.in);

    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
        .setConfig(GraphDatabaseSettings.auth_enabled, true)
        // No lock-out after failed logins: with a 256-bit password it stops no
        // guessing, and it would let any local process lock Pedigree out.
        .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
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

    try {
      setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), USER, password);
    } catch (RuntimeException e) {
      // Never serve with a password we could not set: stop, and say why (the message holds no password).
      System.err.println("pedigree-neo4j: could not set the neo4j user's password: " + e.getMessage());
      stop.run();
      System.exit(1);
    }
    password = null;

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

  private static final String USER = "neo4j";

  /**
   * Reads one line (UTF-8, up to 1 KiB) byte by byte, so nothing after it is
   * buffered away from the parent-watch thread that waits for EOF on the same stream.
   */
  private static String readPasswordLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new IllegalStateException("expected the neo4j user's password as the first line on stdin, got EOF");
      if (line.size() >= 1024) throw new IllegalStateException("the password line on stdin is longer than 1 KiB");
      line.write(b);
    }
    String password = line.toString(StandardCharsets.UTF_8).strip();
    if (password.length() < 16) throw new IllegalStateException("the password on stdin must be at least 16 characters");
    return password;
  }

  /**
   * Gives {@code user} this run's password (creating the user if the system
   * database has none), as a parameter: administration commands never log it.
   * An embedded transaction runs with full rights, so this needs no login.
   */
  private static void setPassword(GraphDatabaseService system, String user, String password) {
    Map<String, Object> params = Map.of("user", user, "password", password);
    boolean exists = system.executeTransactionally(
        "SHOW USERS YIELD user WHERE user = $user RETURN count(*) AS n", params, r -> ((Number) r.next().get("n")).longValue() > 0);
    system.executeTransactionally(
        exists
            ? "ALTER USER $user SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED"
            : "CREATE USER $user SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
        params);
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
