package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Encodes TM records as MessagePack maps with named fields (docs/tm-protocol.md), so that later
 * versions can add optional fields: the decoder skips fields it does not know and fails, naming the
 * field, only when a required one is missing or has the wrong type.
 *
 * <p>Stateless and thread-safe.
 */
public final class TxRecordCodec {
  /**
   * Records are a few hundred bytes; the default packer buffer is 8 KiB, which made the codec the
   * largest allocation of a transaction (three records, 24 KiB). Larger records grow the buffer.
   */
  private static final MessagePack.PackerConfig PACKER =
      new MessagePack.PackerConfig().withBufferSize(512);

  static final String NODE_ID = "nodeId";
  static final String EPOCH = "epoch";
  static final String STARTED_AT = "startedAt";
  static final String INCARNATION = "incarnation";
  static final String RESOURCE_ID = "resourceId";
  static final String URL = "url";
  static final String USER = "user";
  static final String GTRID = "gtrid";
  static final String BRANCHES = "branches";
  static final String BQUAL = "bqual";
  static final String DEADLINE = "deadline";
  static final String OUTCOME = "outcome";
  static final String REASON = "reason";

  private TxRecordCodec() {}

  /**
   * {@return the MessagePack payload of {@code record}}
   *
   * @param record the record to encode
   */
  public static byte[] encode(TxRecord record) {
    try (MessageBufferPacker p = PACKER.newBufferPacker()) {
      if (record instanceof TxRecord.EpochStarted r) {
        p.packMapHeader(r.incarnation() == 0 ? 3 : 4);
        str(p, NODE_ID, r.nodeId());
        p.packString(EPOCH).packLong(r.epoch());
        p.packString(STARTED_AT).packLong(r.startedAtMillis());
        if (r.incarnation() != 0) {
          p.packString(INCARNATION).packLong(r.incarnation() & 0xffffffffL);
        }
      } else if (record instanceof TxRecord.ResourceRegistered r) {
        ResourceDescriptor d = r.descriptor();
        p.packMapHeader(d.user() == null ? 2 : 3);
        str(p, RESOURCE_ID, d.resourceId());
        str(p, URL, d.url());
        if (d.user() != null) {
          str(p, USER, d.user());
        }
      } else if (record instanceof TxRecord.Begin r) {
        p.packMapHeader(3);
        gtrid(p, r.gtrid());
        branches(p, r.branches());
        p.packString(DEADLINE).packLong(r.deadlineMillis());
      } else if (record instanceof TxRecord.Committing r) {
        p.packMapHeader(2);
        gtrid(p, r.gtrid());
        branches(p, r.branches());
      } else if (record instanceof TxRecord.Heuristic r) {
        boolean hasRid = r.branch().resourceId() != null;
        p.packMapHeader(hasRid ? 4 : 3);
        gtrid(p, r.gtrid());
        if (hasRid) {
          str(p, RESOURCE_ID, r.branch().resourceId());
        }
        bin(p, BQUAL, r.branch().bqual());
        str(p, OUTCOME, r.outcome().name());
      } else if (record instanceof TxRecord.HeuristicCleared r) {
        boolean hasRid = r.branch().resourceId() != null;
        p.packMapHeader(hasRid ? 3 : 2);
        gtrid(p, r.gtrid());
        if (hasRid) {
          str(p, RESOURCE_ID, r.branch().resourceId());
        }
        bin(p, BQUAL, r.branch().bqual());
      } else if (record instanceof TxRecord.DamageAccepted r) {
        p.packMapHeader(2);
        p.packString(EPOCH);
        p.packLong(r.epoch());
        str(p, REASON, r.what());
      } else if (record instanceof TxRecord.DamageCleared r) {
        p.packMapHeader(1);
        p.packString(EPOCH);
        p.packLong(r.epoch());
      } else if (record instanceof TxRecord.KeptInDoubt r) {
        p.packMapHeader(2);
        gtrid(p, r.gtrid());
        str(p, REASON, r.reason());
      } else if (record instanceof TxRecord.End r) {
        p.packMapHeader(2);
        gtrid(p, r.gtrid());
        str(p, OUTCOME, r.outcome().name());
      } else {
        throw new IllegalArgumentException("unknown record " + record);
      }
      return p.toByteArray();
    } catch (IOException e) {
      // A MessageBufferPacker writes to memory only.
      throw new IllegalStateException("encoding " + record.type() + " failed", e);
    }
  }

  /**
   * Decodes the payload of a record whose type is a known TM type.
   *
   * @param type the record's WAL type
   * @param payload the record's payload
   * @return the record
   * @throws TxLogFormatException the payload is not a valid record of that type
   */
  public static TxRecord decode(TxRecordType type, byte[] payload) throws TxLogFormatException {
    Map<String, Object> f = readMap(type, payload);
    Fields in = new Fields(type, f);
    return switch (type) {
      case EPOCH_STARTED ->
          new TxRecord.EpochStarted(
              in.string(NODE_ID),
              in.longValue(EPOCH),
              in.longValue(STARTED_AT),
              (int) in.optionalLong(INCARNATION));
      case RESOURCE_REGISTERED ->
          new TxRecord.ResourceRegistered(
              new ResourceDescriptor(
                  in.string(RESOURCE_ID), in.string(URL), in.optionalString(USER)));
      case BEGIN -> new TxRecord.Begin(in.gtrid(), in.branches(), in.longValue(DEADLINE));
      case COMMITTING -> new TxRecord.Committing(in.gtrid(), in.branches());
      case HEURISTIC ->
          new TxRecord.Heuristic(
              in.gtrid(), in.branch(f), in.enumValue(OUTCOME, HeuristicOutcome.class));
      case END -> new TxRecord.End(in.gtrid(), in.enumValue(OUTCOME, Outcome.class));
      case HEURISTIC_CLEARED -> new TxRecord.HeuristicCleared(in.gtrid(), in.branch(f));
      case KEPT_IN_DOUBT -> new TxRecord.KeptInDoubt(in.gtrid(), in.string(REASON));
      case DAMAGE_ACCEPTED -> new TxRecord.DamageAccepted(in.longValue(EPOCH), in.string(REASON));
      case DAMAGE_CLEARED -> new TxRecord.DamageCleared(in.longValue(EPOCH));
    };
  }

  private static void str(MessageBufferPacker p, String key, String value) throws IOException {
    p.packString(key).packString(value);
  }

  private static void bin(MessageBufferPacker p, String key, byte[] value) throws IOException {
    p.packString(key).packBinaryHeader(value.length);
    p.writePayload(value);
  }

  private static void gtrid(MessageBufferPacker p, Gtrid gtrid) throws IOException {
    bin(p, GTRID, gtrid.toBytes());
  }

  private static void branches(MessageBufferPacker p, List<Branch> branches) throws IOException {
    p.packString(BRANCHES).packArrayHeader(branches.size());
    for (Branch b : branches) {
      p.packMapHeader(b.resourceId() == null ? 1 : 2);
      if (b.resourceId() != null) {
        str(p, RESOURCE_ID, b.resourceId());
      }
      bin(p, BQUAL, b.bqual());
    }
  }

  /** Reads a map of string keys to String, Long, byte[] or List of maps; skips other values. */
  private static Map<String, Object> readMap(TxRecordType type, byte[] payload)
      throws TxLogFormatException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
      if (!u.hasNext() || u.getNextFormat().getValueType() != ValueType.MAP) {
        throw new TxLogFormatException(type + " payload is not a MessagePack map");
      }
      Map<String, Object> m = readMapBody(u);
      if (u.hasNext()) {
        throw new TxLogFormatException(type + " payload has bytes after its map");
      }
      return m;
    } catch (IOException | RuntimeException e) {
      if (e instanceof TxLogFormatException tfe) {
        throw tfe;
      }
      throw new TxLogFormatException(type + " payload is not valid MessagePack: " + e, e);
    }
  }

  private static Map<String, Object> readMapBody(MessageUnpacker u) throws IOException {
    int n = u.unpackMapHeader();
    Map<String, Object> m = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      if (u.getNextFormat().getValueType() != ValueType.STRING) {
        u.skipValue(2);
        continue;
      }
      String key = u.unpackString();
      m.put(key, readValue(u));
    }
    return m;
  }

  private static Object readValue(MessageUnpacker u) throws IOException {
    switch (u.getNextFormat().getValueType()) {
      case STRING:
        return u.unpackString();
      case INTEGER:
        return u.unpackLong();
      case BINARY:
        return u.readPayload(u.unpackBinaryHeader());
      case ARRAY:
        int n = u.unpackArrayHeader();
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(
              u.getNextFormat().getValueType() == ValueType.MAP ? readMapBody(u) : readValue(u));
        }
        return list;
      case MAP:
        return readMapBody(u);
      default:
        u.skipValue();
        return Unknown.VALUE;
    }
  }

  private enum Unknown {
    VALUE
  }

  /** Typed access to decoded fields with errors that name the record type and field. */
  private record Fields(TxRecordType type, Map<String, Object> map) {
    private Object required(String key) throws TxLogFormatException {
      Object v = map.get(key);
      if (v == null) {
        throw new TxLogFormatException(type + " record lacks required field '" + key + "'");
      }
      return v;
    }

    private <T> T typed(String key, Class<T> cls) throws TxLogFormatException {
      Object v = required(key);
      if (!cls.isInstance(v)) {
        throw new TxLogFormatException(
            type + " record field '" + key + "' is not a " + cls.getSimpleName() + ": " + v);
      }
      return cls.cast(v);
    }

    String string(String key) throws TxLogFormatException {
      return typed(key, String.class);
    }

    String optionalString(String key) throws TxLogFormatException {
      return map.containsKey(key) ? string(key) : null;
    }

    long longValue(String key) throws TxLogFormatException {
      return typed(key, Long.class);
    }

    long optionalLong(String key) throws TxLogFormatException {
      return map.containsKey(key) ? longValue(key) : 0;
    }

    Gtrid gtrid() throws TxLogFormatException {
      byte[] bytes = typed(GTRID, byte[].class);
      return Gtrid.fromBytes(bytes)
          .orElseThrow(() -> new TxLogFormatException(type + " record has a malformed gtrid"));
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> cls) throws TxLogFormatException {
      String s = string(key);
      try {
        return Enum.valueOf(cls, s);
      } catch (IllegalArgumentException e) {
        throw new TxLogFormatException(
            type + " record field '" + key + "' has unknown value '" + s + "'", e);
      }
    }

    Branch branch(Map<String, Object> m) throws TxLogFormatException {
      Fields b = new Fields(type, m);
      try {
        return new Branch(b.optionalString(RESOURCE_ID), b.typed(BQUAL, byte[].class));
      } catch (IllegalArgumentException e) {
        throw new TxLogFormatException(type + " record has a bad branch: " + e.getMessage(), e);
      }
    }

    List<Branch> branches() throws TxLogFormatException {
      List<?> raw = typed(BRANCHES, List.class);
      List<Branch> out = new ArrayList<>(raw.size());
      for (Object o : raw) {
        if (!(o instanceof Map<?, ?> m)) {
          throw new TxLogFormatException(type + " record has a branch that is not a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> bm = (Map<String, Object>) m;
        out.add(branch(bm));
      }
      return out;
    }
  }
}
