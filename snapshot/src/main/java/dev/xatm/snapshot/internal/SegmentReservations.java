package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.SegmentReservation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Protects segments from GC while someone reads them (an online backup): a reservation from LSN X
 * keeps every segment holding an LSN &ge; X (Ignite's {@code SegmentAware.reserve}).
 *
 * <p>Thread-safe.
 */
public final class SegmentReservations {

  /** One reservation; {@link #close()} releases it (idempotent). */
  public final class Reservation implements SegmentReservation {
    private final long fromLsn;
    private final String owner;
    private final long sinceMillis;

    private Reservation(long fromLsn, String owner, long sinceMillis) {
      this.fromLsn = fromLsn;
      this.owner = owner;
      this.sinceMillis = sinceMillis;
    }

    @Override
    public long fromLsn() {
      return fromLsn;
    }

    @Override
    public String owner() {
      return owner;
    }

    @Override
    public long sinceMillis() {
      return sinceMillis;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (held.remove(this)) {
          version++;
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return owner + " (holds segments from LSN " + fromLsn + ")";
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Reservation> held = new ArrayList<>(); // guarded by lock
  private volatile long version; // written under lock

  /** Counts releases, so a size verdict can tell that a pin may have gone since it was made. */
  public long version() {
    return version;
  }

  /** Reserves every segment holding an LSN &ge; {@code fromLsn} until the reservation closes. */
  public Reservation reserve(long fromLsn, String owner, long nowMillis) {
    Reservation r = new Reservation(fromLsn, owner, nowMillis);
    lock.lock();
    try {
      held.add(r);
    } finally {
      lock.unlock();
    }
    return r;
  }

  /** The reservation with the lowest LSN, which bounds GC. */
  public Optional<Reservation> lowest() {
    lock.lock();
    try {
      Reservation low = null;
      for (Reservation r : held) {
        if (low == null || r.fromLsn < low.fromLsn) {
          low = r;
        }
      }
      return Optional.ofNullable(low);
    } finally {
      lock.unlock();
    }
  }
}
