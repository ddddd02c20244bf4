package dev.xatm.wal.internal;

import dev.xatm.wal.WalClosedException;
import dev.xatm.wal.WalException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over from appenders to the writer thread. LSNs are assigned here, under the
 * lock, so queue order is LSN order. Appenders block while the queue holds {@code maxRecords}
 * records or {@code maxBytes} bytes (a record larger than the byte budget is still admitted into an
 * empty queue). The writer takes everything queued at once: that is the group commit, and it needs
 * no timer.
 *
 * <p>Deferred records ({@code Wal#appendDeferred}) do not wake the writer: they wait in the queue
 * for the next record that does (an ordinary append, a forced one, a sync), for {@link
 * #flushDeferred()}, or until they fill half the queue, and then go out in the same write.
 *
 * <p>Threading: any number of appenders, one writer. Uses {@link ReentrantLock} so waiting virtual
 * threads do not pin their carrier.
 */
final class AppendQueue {
  private static final long SPIN_NANOS = 50_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final int maxRecords;
  private final long maxBytes;

  // Guarded by lock.
  private Append head;
  private Append tail;
  private int count;
  private long bytes;
  private long nextLsn;
  private WalException refusal;
  private int eager; // queued records that are not deferred
  private boolean flushRequested;

  /** Published copy of nextLsn - 1 for {@code lastLsn()}. */
  private volatile long lastAssigned;

  /** Published copy of eager, read without the lock by the writer's short spin. */
  private volatile int queued;

  /** Written and read by the writer thread only. */
  private boolean lastSpinCaught;

  AppendQueue(int maxRecords, long maxBytes, long nextLsn) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.nextLsn = nextLsn;
    this.lastAssigned = nextLsn - 1;
  }

  /**
   * Assigns the next LSN to {@code a} and queues it, blocking while the queue is full.
   *
   * @throws WalException when the log is poisoned or closed (also while waiting)
   * @throws InterruptedException interrupted while waiting for room; nothing was queued
   */
  void put(Append a) throws WalException, InterruptedException {
    int size = a.size();
    lock.lock();
    try {
      while (refusal == null && (count >= maxRecords || (count > 0 && bytes + size > maxBytes))) {
        notFull.await();
      }
      if (refusal != null) {
        throw refusal;
      }
      a.lsn = nextLsn++;
      lastAssigned = a.lsn;
      if (tail == null) {
        head = a;
      } else {
        tail.next = a;
      }
      tail = a;
      count++;
      bytes += size;
      if (!a.deferred) {
        eager++;
        queued = eager;
      }
      // Wake the writer for the first record it must write now; deferred ones ride along.
      if ((!a.deferred && eager == 1) || (a.deferred && deferredFull())) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writer side: waits for records and takes all of them as a linked chain. Returns null once the
   * queue is refused (closed or poisoned) and empty.
   */
  Append takeAll(boolean spin) {
    lastSpinCaught = spin && spinWhileEmpty();
    lock.lock();
    try {
      while (!writeNow() && refusal == null) {
        notEmpty.awaitUninterruptibly(); // the writer is stopped by close(), never interrupted
      }
      return detach();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writer side: the records that arrive within the spin window, taken without blocking, or null
   * when none came. Lets the writer put unforced records in the same write as the forced record
   * that usually follows them (2PC's Begin, then Committing), instead of a write of their own.
   */
  Append takeArriving() {
    if (!spinWhileEmpty()) {
      return null;
    }
    lock.lock();
    try {
      return detach();
    } finally {
      lock.unlock();
    }
  }

  private Append detach() {
    Append chain = head;
    head = tail = null;
    count = 0;
    eager = 0;
    queued = 0;
    bytes = 0;
    flushRequested = false;
    notFull.signalAll();
    return chain;
  }

  /** Under the lock: whether the queue holds something the writer must write now. */
  private boolean writeNow() {
    return head != null && (eager > 0 || flushRequested || deferredFull());
  }

  /** Under the lock: deferred records fill half the queue (appenders must never block on them). */
  private boolean deferredFull() {
    return count >= maxRecords / 2 || bytes >= maxBytes / 2;
  }

  /** Deferred records are written at the writer's next chance (a bound on how long they wait). */
  void flushDeferred() {
    lock.lock();
    try {
      if (head != null && !flushRequested) {
        flushRequested = true;
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Watches an empty queue for up to {@link #SPIN_NANOS}. A single appender that waits for each ack
   * appends its next record a few microseconds after the ack; catching it here saves a park and an
   * unpark (tens of microseconds on a VM) per append, which is what separates one appender from the
   * raw write + force loop. A spin that catches a record ends at once; the writer stops asking for
   * a while after spins that catch nothing (see LogWriter), so an idle or slow log costs almost no
   * CPU.
   */
  private boolean spinWhileEmpty() {
    long deadline = System.nanoTime() + SPIN_NANOS;
    while (queued == 0 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    return queued != 0;
  }

  /** Whether the last {@code takeAll(true)} found a record while spinning (writer thread only). */
  boolean lastSpinCaught() {
    return lastSpinCaught;
  }

  /** Refuses further appends with {@link WalClosedException}; queued ones are still written. */
  void close(String directory) {
    refuse(new WalClosedException("WAL " + directory + " is closed"));
  }

  /**
   * Refuses further appends with {@code failure} and returns what was queued (not written), for the
   * caller to fail.
   */
  Append poison(WalException failure) {
    lock.lock();
    try {
      refusal = failure;
      Append chain = head;
      head = tail = null;
      count = 0;
      eager = 0;
      queued = 0;
      bytes = 0;
      notFull.signalAll();
      notEmpty.signalAll();
      return chain;
    } finally {
      lock.unlock();
    }
  }

  private void refuse(WalException e) {
    lock.lock();
    try {
      if (refusal == null) {
        refusal = e;
      }
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long lastAssigned() {
    return lastAssigned;
  }
}
