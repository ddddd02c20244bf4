package dev.xatm.tm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.xatm.tm.log.HeuristicOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One test per XA error code per phase: the table below is the specification (also in
 * docs/tm-protocol.md). Cells: fate / heuristic / forget / application outcome.
 */
class XaClassifierTest {
  private static final XaPhase[] COLUMNS = {
    XaPhase.PREPARE,
    XaPhase.COMMIT,
    XaPhase.COMMIT_RETRY,
    XaPhase.ONE_PHASE_COMMIT,
    XaPhase.ROLLBACK
  };

  private static final String RB = "RB/-/-/R | H/HR/-/HR | H/HR/-/HR | RB/-/-/R | RB/-/-/N";
  private static final String PROTOCOL = "NR/-/-/R | RT/-/-/N | RT/-/-/N | NR/-/-/R | RT/-/-/S";

  private static final Object[][] TABLE = {
    {XAException.XA_RBROLLBACK, RB},
    {XAException.XA_RBCOMMFAIL, RB},
    {XAException.XA_RBDEADLOCK, RB},
    {XAException.XA_RBINTEGRITY, RB},
    {XAException.XA_RBOTHER, RB},
    {XAException.XA_RBPROTO, RB},
    {XAException.XA_RBTIMEOUT, RB},
    {XAException.XA_RBTRANSIENT, RB},
    {XAException.XA_NOMIGRATE, PROTOCOL},
    {XAException.XA_HEURHAZ, "H/HH/f/HM | H/HH/f/HM | H/HH/f/HM | H/HH/f/HM | H/HH/f/HM"},
    {XAException.XA_HEURCOM, "H/HC/f/HM | C/HC/f/N | C/HC/f/N | C/HC/f/N | H/HC/f/HM"},
    {XAException.XA_HEURRB, "RB/HR/f/R | H/HR/f/HR | H/HR/f/HR | H/HR/f/HR | RB/HR/f/N"},
    {XAException.XA_HEURMIX, "H/HM/f/HM | H/HM/f/HM | H/HM/f/HM | H/HM/f/HM | H/HM/f/HM"},
    {XAException.XA_RETRY, "NR/-/-/R | RT/-/-/N | RT/-/-/N | NR/-/-/R | RT/-/-/N"},
    {XAException.XA_RDONLY, "RO/-/-/N | C/-/-/N | C/-/-/N | C/-/-/N | RB/-/-/N"},
    {XAException.XAER_ASYNC, PROTOCOL},
    {XAException.XAER_RMERR, "NR/-/-/R | H/HR/-/HR | H/HR/-/HR | RB/-/-/R | RB/-/-/N"},
    {XAException.XAER_NOTA, "RB/-/-/R | H/HH/-/HM | C/-/-/N | RB/-/-/R | RB/-/-/N"},
    {XAException.XAER_INVAL, PROTOCOL},
    {XAException.XAER_PROTO, PROTOCOL},
    {XAException.XAER_RMFAIL, "NR/-/-/R | RT/-/-/N | RT/-/-/N | H/HH/-/HM | RT/-/-/N"},
    {XAException.XAER_DUPID, PROTOCOL},
    {XAException.XAER_OUTSIDE, PROTOCOL},
    {42, PROTOCOL},
  };

  private static final Map<String, BranchFate> FATES =
      Map.of(
          "P", BranchFate.PREPARED,
          "RO", BranchFate.READ_ONLY,
          "C", BranchFate.COMMITTED,
          "RB", BranchFate.ROLLED_BACK,
          "NR", BranchFate.NEEDS_ROLLBACK,
          "RT", BranchFate.RETRY,
          "H", BranchFate.HEURISTIC);
  private static final Map<String, HeuristicOutcome> HEURISTICS =
      Map.of(
          "HC", HeuristicOutcome.COMMITTED,
          "HR", HeuristicOutcome.ROLLED_BACK,
          "HM", HeuristicOutcome.MIXED,
          "HH", HeuristicOutcome.HAZARD);
  private static final Map<String, AppOutcome> APPS =
      Map.of(
          "N", AppOutcome.NORMAL,
          "R", AppOutcome.ROLLBACK,
          "HR", AppOutcome.HEURISTIC_ROLLBACK,
          "HM", AppOutcome.HEURISTIC_MIXED,
          "S", AppOutcome.SYSTEM);

  @TestFactory
  List<DynamicTest> everyCodeInEveryPhase() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object[] row : TABLE) {
      int code = (Integer) row[0];
      String[] cells = ((String) row[1]).split("\\|");
      assertEquals(COLUMNS.length, cells.length, "row " + code);
      for (int i = 0; i < COLUMNS.length; i++) {
        XaPhase phase = COLUMNS[i];
        String[] f = cells[i].trim().split("/");
        tests.add(
            dynamicTest(
                phase + " " + XaClassifier.name(code),
                () -> {
                  XaVerdict v = XaClassifier.classify(phase, code);
                  String where = phase + " " + XaClassifier.name(code) + ": " + v;
                  assertEquals(FATES.get(f[0]), v.fate(), where);
                  assertEquals(
                      f[1].equals("-") ? null : HEURISTICS.get(f[1]), v.heuristic(), where);
                  assertEquals(f[2].equals("f"), v.forget(), where);
                  assertEquals(APPS.get(f[3]), v.app(), where);
                }));
      }
    }
    return tests;
  }

  /**
   * A branch that never voted prepared is rolled back like any other, except that XAER_RMFAIL means
   * its work is gone with its connection: nothing to retry.
   */
  @TestFactory
  List<DynamicTest> rollbackOfAnUnpreparedBranchIsRollbackButForAFailedResource() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object[] row : TABLE) {
      int code = (Integer) row[0];
      tests.add(
          dynamicTest(
              "ROLLBACK_UNPREPARED " + XaClassifier.name(code),
              () -> {
                XaVerdict v = XaClassifier.classify(XaPhase.ROLLBACK_UNPREPARED, code);
                if (code == XAException.XAER_RMFAIL) {
                  assertEquals(BranchFate.ROLLED_BACK, v.fate(), v.toString());
                  assertEquals(AppOutcome.NORMAL, v.app(), v.toString());
                  assertEquals(null, v.heuristic(), v.toString());
                } else {
                  XaVerdict prepared = XaClassifier.classify(XaPhase.ROLLBACK, code);
                  assertEquals(prepared.fate(), v.fate(), v.toString());
                  assertEquals(prepared.heuristic(), v.heuristic(), v.toString());
                  assertEquals(prepared.forget(), v.forget(), v.toString());
                  assertEquals(prepared.app(), v.app(), v.toString());
                }
              }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyDefinedXaCodeIsInTheTable() throws IllegalAccessException {
    List<DynamicTest> tests = new ArrayList<>();
    List<Integer> covered = new ArrayList<>();
    for (Object[] row : TABLE) {
      covered.add((Integer) row[0]);
    }
    for (var field : XAException.class.getFields()) {
      if (field.getType() == int.class
          && (field.getName().startsWith("XA_") || field.getName().startsWith("XAER_"))
          && !field.getName().equals("XA_RBBASE")
          && !field.getName().equals("XA_RBEND")) {
        int value = field.getInt(null);
        tests.add(
            dynamicTest(
                field.getName(),
                () -> assertEquals(true, covered.contains(value), field.getName() + " missing")));
      }
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> namesAreTheConstantNames() throws IllegalAccessException {
    List<DynamicTest> tests = new ArrayList<>();
    for (var field : XAException.class.getFields()) {
      String n = field.getName();
      if (field.getType() == int.class
          && (n.startsWith("XA_RB") || n.startsWith("XAER_") || n.startsWith("XA_HEUR"))
          && !n.equals("XA_RBBASE")
          && !n.equals("XA_RBEND")) {
        int value = field.getInt(null);
        tests.add(dynamicTest(n, () -> assertEquals(n, XaClassifier.name(value))));
      }
    }
    return tests;
  }
}
