package dev.xatm.tm.log;

import dev.xatm.tm.spi.ResourceDescriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The TM state a checkpoint carries (snapshot/FORMAT.md leaves the payload to the TM;
 * docs/snapshots.md describes this one). The state is written as the shortest record sequence that
 * rebuilds it: {@code EpochStarted}, one {@code ResourceRegistered} per resource, a {@code Begin}
 * per begun-only transaction, a {@code Committing} per decided-unfinished transaction (at its
 * original LSN) and a {@code Heuristic} per unresolved heuristic, each encoded by {@link
 * TxRecordCodec}. Loading applies them to a fresh {@link LogStateBuilder}; records after the
 * checkpoint are then replayed on top. So the checkpoint follows every change of the record codec
 * and of the replay rules for free.
 *
 * <p>MessagePack map with named fields: {@code format} (1), {@code node}, {@code epoch}, {@code
 * lsn} (L), {@code records}: array of maps {@code lsn}, {@code type}, {@code payload} (bin).
 * Unknown fields are skipped.
 *
 * <p>Not carried: transactions already ended (their End means every branch is finished, and a
 * bounded log cannot remember every finished transaction) and replay anomalies (logged when they
 * were first replayed). Stateless and thread-safe.
 */
public final class TmCheckpointCodec {
  static final int FORMAT = 1;

  private TmCheckpointCodec() {}

  /**
   * A state rebuilt from a checkpoint: replay continues at {@code lsn + 1} into {@code builder}.
   *
   * @param lsn the last LSN the checkpoint's state contains
   * @param builder holds that state
   */
  public record Seed(long lsn, LogStateBuilder builder) {}

  /** One record of the sequence that rebuilds a state, at the LSN it is applied with. */
  record Entry(long lsn, TxRecord record) {}

  /**
   * {@return the checkpoint payload of {@code state}}
   *
   * @param state the state after the records up to {@code lsn}
   * @param lsn the last LSN the state contains
   */
  public static byte[] encode(LogState state, long lsn) {
    List<Entry> entries = entries(state, lsn);
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(6);
      p.packString("format").packInt(FORMAT);
      p.packString("node");
      if (state.nodeId() == null) {
        p.packNil();
      } else {
        p.packString(state.nodeId());
      }
      p.packString("epoch").packLong(state.epoch());
      p.packString("lsn").packLong(lsn);
      // Every recorded process start (epoch, incarnation): recovery tells the gtrids of a start
      // the log lost from those of a known one by them (docs/recovery.md). Skipped by readers
      // that predate the field.
      int starts = state.starts().values().stream().mapToInt(java.util.Set::size).sum();
      p.packString("starts").packArrayHeader(starts);
      for (var s : new java.util.TreeMap<>(state.starts()).entrySet()) {
        for (int inc : new java.util.TreeSet<>(s.getValue())) {
          p.packArrayHeader(2).packLong(s.getKey()).packLong(inc & 0xffffffffL);
        }
      }
      p.packString("records").packArrayHeader(entries.size());
      for (Entry e : entries) {
        byte[] payload = TxRecordCodec.encode(e.record());
        p.packMapHeader(3);
        p.packString("lsn").packLong(e.lsn());
        p.packString("type").packInt(e.record().type().code());
        p.packString("payload").packBinaryHeader(payload.length);
        p.writePayload(payload);
      }
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory MessagePack encoding failed", e);
    }
  }

  /**
   * Decodes a checkpoint payload into a builder holding its state.
   *
   * @param payload what {@link #encode} wrote
   * @return the state's LSN and a builder holding it
   * @throws TxLogFormatException the payload is not a checkpoint of format 1, or lacks its LSN
   */
  public static Seed decode(byte[] payload) throws TxLogFormatException {
    LogStateBuilder b = new LogStateBuilder();
    long lsn = -1;
    int format = -1;
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
      int fields = u.unpackMapHeader();
      for (int i = 0; i < fields; i++) {
        String name = u.unpackString();
        switch (name) {
          case "format" -> format = u.unpackInt();
          case "lsn" -> lsn = u.unpackLong();
          case "starts" -> {
            int n = u.unpackArrayHeader();
            for (int j = 0; j < n; j++) {
              u.unpackArrayHeader();
              b.started(u.unpackLong(), (int) u.unpackLong());
            }
          }
          case "records" -> {
            if (format != FORMAT) {
              throw new TxLogFormatException(
                  "checkpoint payload format: expected " + FORMAT + ", actual " + format);
            }
            int n = u.unpackArrayHeader();
            for (int j = 0; j < n; j++) {
              readEntry(u, b);
            }
          }
          default -> u.skipValue();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof TxLogFormatException f) {
        throw f;
      }
      throw new TxLogFormatException("checkpoint payload is not valid: " + e, e);
    }
    if (lsn < 0) {
      throw new TxLogFormatException("checkpoint payload has no lsn field");
    }
    return new Seed(lsn, b);
  }

  private static void readEntry(MessageUnpacker u, LogStateBuilder b) throws IOException {
    long lsn = -1;
    int type = -1;
    byte[] payload = null;
    int fields = u.unpackMapHeader();
    for (int i = 0; i < fields; i++) {
      switch (u.unpackString()) {
        case "lsn" -> lsn = u.unpackLong();
        case "type" -> type = u.unpackInt();
        case "payload" -> payload = u.readPayload(u.unpackBinaryHeader());
        default -> u.skipValue();
      }
    }
    Optional<TxRecordType> t = TxRecordType.of(type);
    if (lsn < 0 || payload == null || t.isEmpty()) {
      throw new TxLogFormatException(
          "checkpoint record entry incomplete or of unknown type " + type + " (lsn " + lsn + ")");
    }
    b.apply(lsn, TxRecordCodec.decode(t.get(), payload));
  }

  /**
   * {@return a builder holding {@code state} minus what a checkpoint does not carry} The same as
   * encoding then decoding, without the bytes.
   *
   * @param state the state after the records up to {@code lsn}
   * @param lsn the last LSN the state contains
   */
  public static LogStateBuilder seed(LogState state, long lsn) {
    LogStateBuilder b = new LogStateBuilder();
    state.starts().forEach((e, incs) -> incs.forEach(i -> b.started(e, i)));
    for (Entry e : entries(state, lsn)) {
      b.apply(e.lsn(), e.record());
    }
    return b;
  }

  static List<Entry> entries(LogState state, long lsn) {
    List<Entry> out = new ArrayList<>();
    if (state.nodeId() != null && state.epoch() > 0) {
      out.add(new Entry(lsn, new TxRecord.EpochStarted(state.nodeId(), state.epoch(), 0)));
    }
    state.resources().values().stream()
        .sorted(Comparator.comparing(ResourceDescriptor::resourceId))
        .forEach(d -> out.add(new Entry(lsn, new TxRecord.ResourceRegistered(d))));
    state.begunOnly().values().stream()
        .sorted(Comparator.comparing((LogState.BegunTransaction t) -> t.gtrid().toString()))
        .forEach(
            t ->
                out.add(
                    new Entry(
                        lsn, new TxRecord.Begin(t.gtrid(), t.branches(), t.deadlineMillis()))));
    state.decided().values().stream()
        .sorted(Comparator.comparingLong(LogState.DecidedTransaction::committingLsn))
        .forEach(
            t ->
                out.add(
                    new Entry(
                        t.committingLsn(), new TxRecord.Committing(t.gtrid(), t.branches()))));
    for (LogState.HeuristicEntry h : state.heuristics()) {
      out.add(new Entry(h.lsn(), new TxRecord.Heuristic(h.gtrid(), h.branch(), h.outcome())));
    }
    // Until an operator clears it, whatever GC removes (issue 10 review, item 4).
    state
        .damageAccepted()
        .forEach(
            (epoch, what) -> out.add(new Entry(lsn, new TxRecord.DamageAccepted(epoch, what))));
    // Until an operator resolves them, whatever GC removes (issue 10).
    state.keptInDoubt().entrySet().stream()
        .sorted(Comparator.comparing(e -> e.getKey().toString()))
        .forEach(e -> out.add(new Entry(lsn, new TxRecord.KeptInDoubt(e.getKey(), e.getValue()))));
    return out;
  }

  /**
   * {@return the oldest decided-unfinished transactions, for messages: gtrid, decided at,
   * resources}
   *
   * @param state the state to describe
   * @param max how many transactions to name; the others are counted
   */
  public static String describeOldest(LogState state, int max) {
    List<LogState.DecidedTransaction> decided =
        state.decided().values().stream()
            .sorted(Comparator.comparingLong(LogState.DecidedTransaction::committingLsn))
            .limit(max)
            .toList();
    if (decided.isEmpty()) {
      return "none decided and unfinished ("
          + state.begunOnly().size()
          + " in phase 1 without a decision)";
    }
    StringBuilder s = new StringBuilder();
    for (LogState.DecidedTransaction t : decided) {
      if (s.length() > 0) {
        s.append("; ");
      }
      s.append(t.gtrid())
          .append(" (decided at LSN ")
          .append(t.committingLsn())
          .append(", resources ")
          .append(t.branches().stream().map(Branch::resourceId).distinct().toList())
          .append(")");
    }
    if (state.decided().size() > max) {
      s.append("; and ").append(state.decided().size() - max).append(" more");
    }
    return s.toString();
  }
}
