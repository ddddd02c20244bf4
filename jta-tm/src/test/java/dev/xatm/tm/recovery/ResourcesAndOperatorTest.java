package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.FakeXAResource.Op;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Foreign Xids, which resources are scanned with which credentials, and operator actions. */
class ResourcesAndOperatorTest {
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  private static Xid raw(int formatId, byte[] gtrid, byte[] bqual) {
    return new Xid() {
      @Override
      public int getFormatId() {
        return formatId;
      }

      @Override
      public byte[] getGlobalTransactionId() {
        return gtrid.clone();
      }

      @Override
      public byte[] getBranchQualifier() {
        return bqual.clone();
      }
    };
  }

  /** The gtrid bytes xatm would write for another node id (layout of Gtrid#toBytes). */
  private static byte[] gtridOfNode(String node) {
    byte[] n = node.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(2 + n.length + 16)
        .put((byte) 1)
        .put((byte) n.length)
        .put(n)
        .putLong(1)
        .putLong(1)
        .array();
  }

  @Test
  void foreignXidsAreReportedAndNeverTouched() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.earlierProcess("a");
    a.hold(raw(0x1234, new byte[] {1, 2}, new byte[] {3}));
    a.hold(raw(XatmXid.FORMAT_ID, gtridOfNode("n2"), XatmXid.bqual(1)));
    a.hold(raw(XatmXid.FORMAT_ID, gtridOfNode("n"), XatmXid.bqual(1))); // a prefix of n1
    a.hold(raw(XatmXid.FORMAT_ID, gtridOfNode("n12"), XatmXid.bqual(1))); // n1 is its prefix
    rig.start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    assertEquals(4, r.count(RecoveryResult.FOREIGN), r.toString());
    assertEquals(0, a.sent("commit") + a.sent("rollback") + rig.count("a.forget"));
    assertEquals(4, a.held().size());
    assertTrue(r.toString().contains("node 'n12'"), r.toString());
    assertTrue(r.toString().contains("0x1234"), r.toString());
    assertFalse(r.unresolved(), "foreign Xids are not ours to resolve");
  }

  @Test
  void loggedResourceWithoutCredentialsIsReportedLoudlyOnEveryPass() throws Exception {
    PreparedResource a = new PreparedResource("a", rig.journal);
    rig.connector.add("a", a);
    rig.earlierProcess("a"); // logged with user "user", nothing configured
    Gtrid g = gtrid(1, 1);
    rig.log.logCommitting(g, branches("a"));
    a.hold(xid(g, 1));
    rig.start();
    for (int pass = 0; pass < 2; pass++) {
      RecoveryReport r = pass == 0 ? rig.tm.recovery().lastReport() : rig.tm.recovery().runPass();
      RecoveryLine l = r.lines().get(0);
      assertEquals(RecoveryResult.UNREACHABLE, l.result());
      assertTrue(l.reason().startsWith("no credentials for a"), l.reason());
      assertTrue(r.unresolved());
    }
    assertEquals(0, rig.connector.opens().size());
    // A pool of this process offers the password: the next pass reaches it.
    rig.tm.offerCredentials(new ResourceDescriptor("a", "fake:a", "user"), "offered-pw");
    RecoveryReport r = rig.tm.recovery().runPass();
    assertFalse(r.unresolved(), r.toString());
    assertEquals(List.of("a password=offered-pw"), rig.connector.opens());
    assertFalse(r.toString().contains("offered-pw"), "passwords never in reports");
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
  }

  @Test
  void configuredAndLoggedResourceIsScannedOnceWithTheConfiguredPassword() throws Exception {
    rig.resource("a");
    rig.env.put("A_PW", "from-env");
    rig.props.remove("xatm.recovery.resource.a.password");
    rig.set("xatm.recovery.resource.a.password-env", "A_PW");
    rig.earlierProcess("a");
    rig.start();
    assertEquals(List.of("a password=from-env"), rig.connector.opens());
    assertFalse(rig.tm.recovery().toString().contains("from-env"));
  }

  @Test
  void operatorCommitLogsTheDecisionSoOtherBranchesFollowAndRollbackIsRefused() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 5);
    rig.log.logBegin(g, branches("a", "b"), 0);
    a.hold(xid(g, 1));
    b.hold(xid(g, 2));
    rig.log.markOpenedDespiteDamage();
    rig.connector.down("b", true);
    rig.start();
    assertEquals(1, rig.tm.recovery().inDoubt().size(), rig.tm.recovery().lastReport().toString());
    assertThrows(
        IllegalArgumentException.class, () -> rig.tm.recovery().commitInDoubt("n1/1/77#1"));
    RecoveryLine l = rig.tm.recovery().commitInDoubt(xid(g, 1).toString());
    assertEquals(RecoveryResult.DONE, l.result());
    assertEquals(
        1, rig.log.records().stream().filter(r -> r instanceof TxRecord.Committing).count());
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
    // b comes back: the decision applies to it; End follows.
    rig.connector.down("b", false);
    b.script(Op.COMMIT, XAException.XAER_RMFAIL);
    RecoveryReport r = rig.tm.recovery().runPass();
    assertEquals(1, r.count(RecoveryResult.NOT_CONFIRMED), r.toString());
    RecoveryRefusedException refused =
        assertThrows(
            RecoveryRefusedException.class,
            () -> rig.tm.recovery().rollbackInDoubt(xid(g, 2).toString()));
    assertTrue(refused.getMessage().contains("durable Committing"), refused.getMessage());
    assertEquals(0, b.sent("rollback"));
    rig.tm.recovery().runPass();
    assertEquals(BranchState.COMMITTED, b.state(xid(g, 2)));
    assertEquals(
        1,
        rig.log.records().stream()
            .filter(x -> x.equals(new TxRecord.End(g, Outcome.COMMITTED)))
            .count());
  }

  @Test
  void badRecoverySettingsFailStartNamingTheKey() {
    rig.set("xatm.recovery.interval", "soon");
    dev.xatm.tm.XatmConfigException e =
        assertThrows(dev.xatm.tm.XatmConfigException.class, rig::start);
    assertTrue(e.getMessage().contains("xatm.recovery.interval"), e.getMessage());
    rig.props.clear();
    rig.set("xatm.recovery.resource.x.url", "nobody:accepts");
    e = assertThrows(dev.xatm.tm.XatmConfigException.class, rig::start);
    assertTrue(e.getMessage().contains("xatm.recovery.resource.x.url"), e.getMessage());
    rig.props.clear();
    rig.set("xatm.recovery.resource.x.url", "fake:x");
    rig.set("xatm.recovery.resource.x.password-env", "NOT_SET");
    e = assertThrows(dev.xatm.tm.XatmConfigException.class, rig::start);
    assertTrue(e.getMessage().contains("password-env"), e.getMessage());
    rig.props.clear();
    rig.set("xatm.recovery.resource.x.url", "fake:x");
    rig.set("xatm.recovery.resource.x.pasword", "typo-secret");
    e = assertThrows(dev.xatm.tm.XatmConfigException.class, rig::start);
    assertTrue(e.getMessage().contains("pasword"), e.getMessage());
    rig.props.clear();
    rig.set("xatm.recovery.backoff.initial", "10s").set("xatm.recovery.backoff.max", "1s");
    e = assertThrows(dev.xatm.tm.XatmConfigException.class, rig::start);
    assertTrue(e.getMessage().contains("xatm.recovery.backoff.max"), e.getMessage());
  }

  @Test
  void configDefaultsAndPasswordsNeverShown() {
    RecoveryConfig c =
        RecoveryConfig.parse(
            java.util.Map.of(
                "xatm.recovery.resource.bank.url", "jdbc:xa:postgresql://db/bank",
                "xatm.recovery.resource.bank.user", "app",
                "xatm.recovery.resource.bank.password", "hunter2"),
            java.util.Map.of());
    assertTrue(c.startup());
    assertEquals(java.time.Duration.ofSeconds(60), c.interval());
    assertEquals("hunter2", c.resources().get("bank").password());
    assertFalse(c.toString().contains("hunter2"), c.toString());
    RecoveryConfig off =
        RecoveryConfig.parse(java.util.Map.of("xatm.recovery.interval", "0"), java.util.Map.of());
    assertTrue(off.interval().isZero());
  }
}
