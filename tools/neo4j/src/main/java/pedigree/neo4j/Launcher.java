package pedigree.neo4j;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.LabelEntry;
import org.neo4j.graphdb.event.PropertyEntry;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListener;
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
 *
 * <p>After the password, stdin carries commands, one per line, answered on
 * stdout with lines that start with {@code PEDIGREE_TRACK}: {@code track-start}
 * makes the {@link ChangeTracker} record the element id of every node and
 * relationship that committed transactions create, delete or change, and
 * {@code track-stop} lists them and forgets them. An online backup reads the
 * graph while writes go on and then re-reads, with writes paused, exactly what
 * changed meanwhile (src/ops/backup.ts).
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
        // Bolt shuts down after the databases have stopped (no transaction can
        // be running then), yet by default waits 5 s for its idle worker
        // threads: most of a graceful stop. A second is plenty.
        .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
        .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
        .build();
    ChangeTracker tracker = new ChangeTracker();
    dbms.registerTransactionEventListener(GraphDatabaseSettings.DEFAULT_DATABASE_NAME, tracker);

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
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          command(line.strip(), tracker);
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

  /** Answers one command line from the parent; every answer line starts with PEDIGREE_TRACK. */
  private static void command(String line, ChangeTracker tracker) {
    switch (line) {
      case "" -> { }
      case "track-start" -> {
        tracker.start();
        reply(List.of("PEDIGREE_TRACK started"));
      }
      case "track-stop" -> reply(tracker.stop());
      default -> reply(List.of("PEDIGREE_TRACK error unknown command"));
    }
  }

  private static synchronized void reply(List<String> lines) {
    for (String l : lines) System.out.println(l);
    System.out.flush();
  }

  /**
   * Records what committed transactions touched, while on. Ids are collected
   * in beforeCommit (the transaction is still open, so deleted entities still
   * have ids) and kept with the transaction; they are recorded in beforeCommit
   * if tracking is on then (a write acknowledged before track-stop is always
   * recorded) and again in afterCommit if it is on then (a write whose commit
   * became visible after track-start is always recorded, even if it began
   * earlier). Recording too much is harmless: the backup re-reads those ids.
   * Past {@link #MAX_IDS} ids it gives up and says so, rather than grow without bound.
   */
  static final class ChangeTracker implements TransactionEventListener<List<String>> {
    static final int MAX_IDS = 5_000_000;
    private volatile boolean on;
    private volatile boolean overflow;
    private final Set<String> nodes = ConcurrentHashMap.newKeySet();
    private final Set<String> relationships = ConcurrentHashMap.newKeySet();

    synchronized void start() {
      nodes.clear();
      relationships.clear();
      overflow = false;
      on = true;
    }

    /** The answer to track-stop: "n <id>" and "r <id>" lines, then "end <nodes> <relationships>" (or "overflow"). */
    synchronized List<String> stop() {
      on = false;
      List<String> out = new ArrayList<>(nodes.size() + relationships.size() + 1);
      if (overflow) {
        out.add("PEDIGREE_TRACK overflow " + MAX_IDS);
      } else {
        for (String id : nodes) out.add("PEDIGREE_TRACK n " + id);
        for (String id : relationships) out.add("PEDIGREE_TRACK r " + id);
        out.add("PEDIGREE_TRACK end " + nodes.size() + " " + relationships.size());
      }
      nodes.clear();
      relationships.clear();
      return out;
    }

    @Override
    public List<String> beforeCommit(TransactionData data, Transaction tx, GraphDatabaseService db) {
      List<String> ids = new ArrayList<>();
      for (Node n : data.createdNodes()) ids.add("n" + n.getElementId());
      for (Node n : data.deletedNodes()) ids.add("n" + n.getElementId());
      for (PropertyEntry<Node> e : data.assignedNodeProperties()) ids.add("n" + e.entity().getElementId());
      for (PropertyEntry<Node> e : data.removedNodeProperties()) ids.add("n" + e.entity().getElementId());
      for (LabelEntry e : data.assignedLabels()) ids.add("n" + e.node().getElementId());
      for (LabelEntry e : data.removedLabels()) ids.add("n" + e.node().getElementId());
      for (Relationship r : data.createdRelationships()) ids.add("r" + r.getElementId());
      for (Relationship r : data.deletedRelationships()) ids.add("r" + r.getElementId());
      for (PropertyEntry<Relationship> e : data.assignedRelationshipProperties()) ids.add("r" + e.entity().getElementId());
      for (PropertyEntry<Relationship> e : data.removedRelationshipProperties()) ids.add("r" + e.entity().getElementId());
      record(ids);
      return ids;
    }

    @Override
    public void afterCommit(TransactionData data, List<String> ids, GraphDatabaseService db) {
      if (ids != null) record(ids);
    }

    @Override
    public void afterRollback(TransactionData data, List<String> ids, GraphDatabaseService db) {
      // Nothing became visible.
    }

    private void record(List<String> ids) {
      if (!on || overflow) return;
      for (String id : ids) {
        (id.charAt(0) == 'n' ? nodes : relationships).add(id.substring(1));
      }
      if (nodes.size() + relationships.size() > MAX_IDS) overflow = true;
    }
  }

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
    try {
      system.executeTransactionally(
          exists
              ? "ALTER USER $user SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED"
              : "CREATE USER $user SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
          params);
    } catch (RuntimeException e) {
      // A restart handed the same password (tests that stand in for an external
      // Neo4j): the user already has exactly the password we want.
      if (!exists || !String.valueOf(e.getMessage()).contains("cannot be the same")) throw e;
    }
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
