package dev.xatm.it.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.crash.CrashLog;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XatmRecoveryConnector;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.xa.PGXADataSource;

/**
 * A measurement, not a timed assertion: one recovery pass over 1,000 in-doubt Xids of this node
 * prepared in real PostgreSQL (a private cluster raised to {@code max_prepared_transactions =
 * 1100}). The Xids belong to epoch 1 of the node's log; the log holds a durable Committing for the
 * even ones. The startup pass of a new TM must commit exactly the 500 even ones and presume abort
 * for the 500 odd ones; its duration is printed ({@code docs/crash-tests.md} records it).
 */
class ThousandInDoubtIT {
  private static final int N = 1000;
  private static final String DB = "xatm_crash_1k";
  private static final String NODE = "rcv-1k";
  private static PostgresServer pg;

  @AfterAll
  static void restoreLimit() throws Exception {
    if (pg != null) {
      setMaxPrepared("100");
    }
  }

  private static void setMaxPrepared(String n) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("alter system set max_prepared_transactions = " + n);
      // Redo after an immediate shutdown replays every PREPARE since the last checkpoint; with a
      // lower limit than the 1,000 of this test it would refuse to start.
      s.execute("checkpoint");
    }
    pg.stopImmediately();
    pg.start();
  }

  @Test
  void onePassResolvesAThousandInDoubtXids() throws Exception {
    pg = PostgresServer.privateCluster();
    setMaxPrepared("1100");
    pg.recreateDatabase(DB);
    try (Connection c = DriverManager.getConnection(pg.url(DB));
        Statement s = c.createStatement()) {
      s.execute("create table t (id int primary key)");
    }
    String xaUrl = "jdbc:xa:postgresql://" + pg.hostPort() + "/" + DB;
    ResourceDescriptor resource = new XatmRecoveryConnector().describe(xaUrl, "postgres");
    Path log = Files.createTempDirectory("xatm-1k");

    long t0 = System.nanoTime();
    WalConfig wc =
        WalConfig.builder(log)
            .nodeId(NODE)
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .maxRecordSize((int) (CrashLog.SEGMENT_SIZE / 4))
            .build();
    PGXADataSource raw = new PGXADataSource();
    raw.setUrl(pg.url(DB));
    try (WalTxLog txLog = new WalTxLog(Wal.open(wc))) {
      int incarnation = 0x1234abcd; // the start of the "crashed" process, recorded in its log
      txLog.logEpoch(1, incarnation, System.currentTimeMillis());
      txLog.logResourceRegistered(resource);
      XAConnection xa = raw.getXAConnection();
      try (PreparedStatement ps = xa.getConnection().prepareStatement("insert into t values (?)")) {
        XAResource r = xa.getXAResource();
        for (int i = 1; i <= N; i++) {
          XatmXid xid = new XatmXid(new Gtrid(NODE, txLog.logId(), incarnation, 1, i), 1);
          r.start(xid, XAResource.TMNOFLAGS);
          ps.setInt(1, i);
          ps.executeUpdate();
          r.end(xid, XAResource.TMSUCCESS);
          assertEquals(XAResource.XA_OK, r.prepare(xid));
          if (i % 2 == 0) {
            txLog.logCommitting(
                xid.gtrid(), List.of(new Branch(resource.resourceId(), XatmXid.bqual(1))));
          }
        }
      } finally {
        xa.close();
      }
    }
    System.out.printf(
        "prepared %d Xids and logged %d Committing records in %d ms%n",
        N, N / 2, (System.nanoTime() - t0) / 1_000_000);
    assertEquals(N, preparedOfNode());

    XatmConfig config =
        XatmConfig.builder()
            .nodeId(NODE)
            .logDir(log)
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .installAsDefault(false)
            .recovery("xatm.recovery.resource.bank.url", xaUrl)
            .recovery("xatm.recovery.resource.bank.user", "postgres")
            .recovery("xatm.recovery.resource.bank.password", "")
            .recovery("xatm.recovery.interval", "0")
            .build();
    long start = System.nanoTime();
    RecoveryReport report;
    try (XatmTransactionManager tm = XatmTransactionManager.start(config)) {
      long startMillis = (System.nanoTime() - start) / 1_000_000;
      report = tm.recovery().lastReport();
      System.out.printf(
          "MEASUREMENT: recovery pass over %d in-doubt Xids took %d ms (TM start %d ms): %s%n",
          N, report.duration().toMillis(), startMillis, report.summary());
      assertFalse(report.unresolved(), report::summary);
    }
    assertEquals(0, preparedOfNode(), "no prepared Xid of the node is left");
    Set<Integer> rows = new HashSet<>();
    try (Connection c = DriverManager.getConnection(pg.url(DB));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select id from t")) {
      while (rs.next()) {
        rows.add(rs.getInt(1));
      }
    }
    assertEquals(N / 2, rows.size(), "exactly the decided half is committed");
    assertTrue(rows.stream().allMatch(i -> i % 2 == 0), "only even (decided) ids committed");
    assertTrue(CrashLog.read(log).decided().isEmpty(), "End written for every decided Xid");
  }

  private static int preparedOfNode() throws Exception {
    PGXADataSource raw = new PGXADataSource();
    raw.setUrl(pg.url(DB));
    XAConnection xa = raw.getXAConnection();
    try {
      int n = 0;
      for (var x : xa.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN)) {
        if (XatmXid.parse(x, NODE).isPresent()) {
          n++;
        }
      }
      return n;
    } finally {
      xa.close();
    }
  }
}
