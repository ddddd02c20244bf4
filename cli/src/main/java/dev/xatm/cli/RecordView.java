package dev.xatm.cli;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.TxLogFormatException;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.log.TxRecordCodec;
import dev.xatm.tm.log.TxRecordType;
import dev.xatm.wal.WalRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One WAL record as the operator sees it: decoded by the TM's own codec when it is a TM record
 * (docs/tm-protocol.md), otherwise named by its number. A TM record that does not decode is shown
 * with the codec's reason and counts as damage.
 *
 * @param lsn the record's LSN
 * @param typeCode the WAL record type
 * @param type the TM record type, empty for a record of another module or an unknown TM type
 * @param record the decoded record, {@code null} when it is not a TM record or does not decode
 * @param error why a TM record does not decode, or {@code null}
 * @param bytes payload size
 */
record RecordView(
    long lsn, int typeCode, Optional<TxRecordType> type, TxRecord record, String error, int bytes) {

  static RecordView of(WalRecord r) {
    Optional<TxRecordType> type = TxRecordType.of(r.type());
    if (type.isEmpty()) {
      return new RecordView(r.lsn(), r.type(), type, null, null, r.payload().length);
    }
    try {
      TxRecord decoded = TxRecordCodec.decode(type.get(), r.payload());
      return new RecordView(r.lsn(), r.type(), type, decoded, null, r.payload().length);
    } catch (TxLogFormatException e) {
      return new RecordView(r.lsn(), r.type(), type, null, e.getMessage(), r.payload().length);
    }
  }

  /** The type's name, or what the number is. */
  String typeName() {
    if (type.isPresent()) {
      return type.get().name();
    }
    return TxRecordType.reservedForTm(typeCode) ? "TM-TYPE-" + typeCode + "?" : "TYPE-" + typeCode;
  }

  Gtrid gtrid() {
    if (record instanceof TxRecord.Begin r) {
      return r.gtrid();
    } else if (record instanceof TxRecord.Committing r) {
      return r.gtrid();
    } else if (record instanceof TxRecord.Heuristic r) {
      return r.gtrid();
    } else if (record instanceof TxRecord.End r) {
      return r.gtrid();
    } else if (record instanceof TxRecord.HeuristicCleared r) {
      return r.gtrid();
    }
    return null;
  }

  /** The fields after the gtrid, for the text table. */
  String detail() {
    if (error != null) {
      return "UNDECODABLE: " + error;
    }
    if (record == null) {
      return TxRecordType.reservedForTm(typeCode)
          ? "a TM record type this version does not know (" + bytes + " bytes)"
          : "not a TM record (" + bytes + " bytes)";
    }
    if (record instanceof TxRecord.EpochStarted r) {
      return "node="
          + r.nodeId()
          + " epoch="
          + r.epoch()
          + " started="
          + Instant.ofEpochMilli(r.startedAtMillis());
    } else if (record instanceof TxRecord.ResourceRegistered r) {
      return "resource="
          + r.descriptor().resourceId()
          + " url="
          + r.descriptor().url()
          + (r.descriptor().user() == null ? "" : " user=" + r.descriptor().user());
    } else if (record instanceof TxRecord.Begin r) {
      return "branches="
          + branches(r.branches())
          + " deadline="
          + Instant.ofEpochMilli(r.deadlineMillis());
    } else if (record instanceof TxRecord.Committing r) {
      return "branches=" + branches(r.branches());
    } else if (record instanceof TxRecord.Heuristic r) {
      return "branch=" + branch(r.branch()) + " outcome=" + r.outcome();
    } else if (record instanceof TxRecord.End r) {
      return "outcome=" + r.outcome();
    } else if (record instanceof TxRecord.HeuristicCleared r) {
      return "branch=" + branch(r.branch());
    }
    return record.toString();
  }

  /** The record as a JSON object. */
  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lsn", lsn);
    m.put("type", typeName());
    m.put("typeCode", typeCode);
    Gtrid g = gtrid();
    m.put("gtrid", g == null ? null : g.toString());
    if (error != null) {
      m.put("error", error);
    } else if (record == null) {
      m.put("bytes", bytes);
    } else if (record instanceof TxRecord.EpochStarted r) {
      m.put("node", r.nodeId());
      m.put("epoch", r.epoch());
      m.put("startedAt", Instant.ofEpochMilli(r.startedAtMillis()).toString());
    } else if (record instanceof TxRecord.ResourceRegistered r) {
      m.put("resourceId", r.descriptor().resourceId());
      m.put("url", r.descriptor().url());
      m.put("user", r.descriptor().user());
    } else if (record instanceof TxRecord.Begin r) {
      m.put("branches", branchesJson(r.branches()));
      m.put("deadline", Instant.ofEpochMilli(r.deadlineMillis()).toString());
    } else if (record instanceof TxRecord.Committing r) {
      m.put("branches", branchesJson(r.branches()));
    } else if (record instanceof TxRecord.Heuristic r) {
      m.put("branch", branchJson(r.branch()));
      m.put("outcome", r.outcome().name());
    } else if (record instanceof TxRecord.End r) {
      m.put("outcome", r.outcome().name());
    } else if (record instanceof TxRecord.HeuristicCleared r) {
      m.put("branch", branchJson(r.branch()));
    }
    return m;
  }

  private static String branches(List<Branch> branches) {
    List<String> out = new ArrayList<>(branches.size());
    for (Branch b : branches) {
      out.add(branch(b));
    }
    return String.join(",", out);
  }

  /** {@code resourceId:bqual-hex}, {@code ?} for a resource that did not identify itself. */
  static String branch(Branch b) {
    return (b.resourceId() == null ? "?" : b.resourceId())
        + ":"
        + HexFormat.of().formatHex(b.bqual());
  }

  private static List<Object> branchesJson(List<Branch> branches) {
    List<Object> out = new ArrayList<>(branches.size());
    for (Branch b : branches) {
      out.add(branchJson(b));
    }
    return out;
  }

  static Map<String, Object> branchJson(Branch b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resourceId", b.resourceId());
    m.put("bqual", HexFormat.of().formatHex(b.bqual()));
    return m;
  }
}
