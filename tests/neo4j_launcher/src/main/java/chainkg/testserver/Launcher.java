package chainkg.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a Neo4j community DBMS with a Bolt connector for chainkg's tests.
 *
 * <pre>
 * NEO4J_PASSWORD=... java -cp ... chainkg.testserver.Launcher [HOME_DIR] [--import IMPORT_ARGS...]
 * </pre>
 *
 * HOME_DIR (default: a fresh temp dir, deleted on exit) holds data/ and logs/.
 * Everything after --import is handed to "neo4j-admin database import full", e.g.
 * {@code --import --nodes=/x/nodes.csv --relationships=/x/rels.csv --overwrite-destination=true}
 * (database "neo4j"; a positional database name would be swallowed by a preceding
 * --nodes/--relationships list). The import runs before the server starts.
 *
 * Prints one line BOLT_URI=bolt://127.0.0.1:PORT to stdout, then serves until stdin reaches
 * EOF or the process gets SIGTERM; either way the databases are shut down cleanly.
 */
public final class Launcher {
    private static final String USER = "neo4j";

    private static DatabaseManagementService dbms;

    public static void main(String[] args) throws Exception {
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            System.err.println("Launcher: set NEO4J_PASSWORD");
            System.exit(2);
        }

        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Path home;
        boolean tempHome = false;
        if (!rest.isEmpty() && !rest.get(0).equals("--import")) {
            home = Paths.get(rest.remove(0)).toAbsolutePath();
            Files.createDirectories(home);
        } else {
            home = Files.createTempDirectory("chainkg-neo4j-");
            tempHome = true;
        }

        if (!rest.isEmpty()) {
            if (!rest.get(0).equals("--import")) {
                System.err.println("Launcher: unexpected argument " + rest.get(0));
                System.exit(2);
            }
            int rc = runImport(home, rest.subList(1, rest.size()));
            if (rc != 0) {
                System.err.println("Launcher: import failed with exit code " + rc);
                System.exit(rc);
            }
        }

        Path tempToDelete = tempHome ? home : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(tempToDelete), "neo4j-shutdown"));
        int port;
        try {
            port = start(home, password);
        } catch (Throwable t) {
            // Bolt's non-daemon threads would otherwise keep a half-started JVM alive.
            t.printStackTrace();
            System.exit(1);
            return;
        }
        System.out.println("BOLT_URI=bolt://127.0.0.1:" + port);
        System.out.flush();

        // EOF on stdin means the parent (pytest) has gone away or asked us to stop.
        InputStream in = System.in;
        byte[] buf = new byte[256];
        while (in.read(buf) != -1) {
            // ignore input
        }
        System.exit(0); // runs the shutdown hook
    }

    private static int start(Path home, String password) {
        dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.err, Level.WARN))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // The machine is small and shared.
                .setConfig(GraphDatabaseSettings.pagecache_memory, 192L * 1024 * 1024)
                .setConfig(BoltConnector.thread_pool_max_size, 50)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Tests try wrong passwords on purpose; the default locks the user after 3.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // No outbound traffic: the usage data collector would phone home.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Bolt otherwise idles ~10 s on shutdown after the databases are already closed.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(1))
                .build();

        // Set through the system database (embedded access needs no auth), which also clears
        // the "change required" flag. Neo4j refuses a new password equal to the old one, so on a
        // reused HOME_DIR go through a random one first.
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        String alter = "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED";
        system.executeTransactionally(alter, Map.of("password", UUID.randomUUID().toString()));
        system.executeTransactionally(alter, Map.of("password", password));

        return ((GraphDatabaseAPI) system).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT).getPort();
    }

    private static synchronized void stop(Path tempHome) {
        if (dbms != null) {
            dbms.shutdown();
            dbms = null;
        }
        if (tempHome != null) {
            try (Stream<Path> paths = Files.walk(tempHome)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("Launcher: could not delete " + tempHome + ": " + e);
            }
        }
    }

    private static int runImport(Path home, List<String> importArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("database", "import", "full"));
        // The importer defaults to 90% of free RAM for off-heap buffers; keep it modest.
        if (importArgs.stream().noneMatch(a -> a.startsWith("--max-off-heap-memory"))) {
            cmd.add("--max-off-heap-memory=256M");
        }
        // Otherwise the bad-entries report lands in the working directory.
        if (importArgs.stream().noneMatch(a -> a.startsWith("--report-file"))) {
            cmd.add("--report-file=" + home.resolve("import.report"));
        }
        cmd.addAll(importArgs);
        Path conf = home.resolve("conf");
        Files.createDirectories(conf);
        // Import progress goes to stderr: stdout is reserved for the BOLT_URI line.
        ExecutionContext ctx = new ExecutionContext(home, conf, System.err, System.err,
                new DefaultFileSystemAbstraction());
        return AdminTool.execute(ctx, cmd.toArray(new String[0]));
    }
}
