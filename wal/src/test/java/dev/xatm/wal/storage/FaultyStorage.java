package dev.xatm.wal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory {@link Storage} that models what a power loss does to a POSIX file system, and
 * injects I/O errors. Shipped in the wal test-jar for other modules' tests.
 *
 * <ul>
 *   <li>Every file keeps its durable content (as of its last {@code force}) and the writes made
 *       since. {@link #crash(Random)} keeps, per file, a random prefix of those writes with the
 *       next one torn at a random byte, and loses the rest.
 *   <li>Directory entries created, renamed or deleted since the last {@link #syncDirectory} of
 *       their directory survive a crash only by chance (each independently).
 *   <li>{@link #setFault} installs a hook that may fail any call (EIO, ENOSPC, a partial write).
 *   <li>{@link #holdForces()} makes {@code force} block until {@link #releaseForces()}, to prove
 *       that nothing is acknowledged before the force returns; {@link #holdDeletes()} does the same
 *       for {@code delete}, to prove that nothing else waits for a slow deletion.
 * </ul>
 *
 * <p>A crash returns a new instance holding the surviving state; this instance is dead from then on
 * and fails every call, as the killed process's threads would have been stopped.
 *
 * <p>Threading: every method is thread-safe (one lock; {@code force} waits outside it).
 */
public final class FaultyStorage implements Storage {

  /** The calls a fault hook sees. */
  public enum Op {
    OPEN,
    CREATE,
    READ,
    WRITE,
    FORCE,
    LIST,
    DELETE,
    RENAME,
    SYNC_DIR,
    MKDIRS,
    LOCK
  }

  /** Decides whether a call fails: return null to let it proceed. */
  @FunctionalInterface
  public interface Fault {
    IOException onCall(Op op, Path path);
  }

  /** Thrown by a fault hook on WRITE: the first {@code written} bytes reach the file first. */
  public static final class PartialWrite extends IOException {
    private static final long serialVersionUID = 1L;
    final int written;

    public PartialWrite(int written, String message) {
      super(message);
      this.written = written;
    }
  }

  private static final class Inode {
    byte[] data = new byte[0];
    int size;
    byte[] durable = new byte[0];
    int durableSize;
    final List<Object[]> pending = new ArrayList<>(); // {Long position, byte[] bytes}
    boolean locked;

    void apply(long position, byte[] bytes, int len) {
      int end = (int) position + len;
      if (end > data.length) {
        data = Arrays.copyOf(data, Math.max(end, data.length * 2));
      }
      System.arraycopy(bytes, 0, data, (int) position, len);
      size = Math.max(size, end);
    }
  }

  private record DirOp(String kind, Path path, Path target, Inode inode) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Path, Inode> files = new HashMap<>();
  private final Set<Path> dirs = new HashSet<>();
  private final Map<Path, Inode> durableFiles = new HashMap<>();
  private final Set<Path> durableDirs = new HashSet<>();
  private final List<DirOp> unsynced = new ArrayList<>();
  private volatile boolean dead;
  private volatile Fault fault;
  private volatile CountDownLatch forceGate;
  private volatile java.util.function.Predicate<Path> forceFilter = p -> true;
  private final Semaphore forcesHeld = new Semaphore(0);
  private volatile CountDownLatch deleteGate;
  private final Semaphore deletesHeld = new Semaphore(0);
  private int forces;
  private final Map<Path, Integer> forcesByFile = new HashMap<>();

  public FaultyStorage() {}

  /** Installs (or with null removes) the fault hook. */
  public void setFault(Fault fault) {
    this.fault = fault;
  }

  /** From now on, {@code force} blocks until {@link #releaseForces()}. */
  public void holdForces() {
    holdForces(p -> true);
  }

  /** From now on, {@code force} of files matching {@code which} blocks until released. */
  public void holdForces(java.util.function.Predicate<Path> which) {
    forceFilter = which;
    forceGate = new CountDownLatch(1);
  }

  /** Waits until a thread is blocked in a held {@code force}; false on timeout. */
  public boolean awaitForceHeld(long timeout, TimeUnit unit) throws InterruptedException {
    return forcesHeld.tryAcquire(timeout, unit);
  }

  /** Lets held and later forces proceed. */
  public void releaseForces() {
    CountDownLatch g = forceGate;
    forceGate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** From now on, {@code delete} blocks (outside the storage lock) until released. */
  public void holdDeletes() {
    deleteGate = new CountDownLatch(1);
  }

  /** Waits until a thread is blocked in a held {@code delete}; false on timeout. */
  public boolean awaitDeleteHeld(long timeout, TimeUnit unit) throws InterruptedException {
    return deletesHeld.tryAcquire(timeout, unit);
  }

  /** Lets held and later deletes proceed. */
  public void releaseDeletes() {
    CountDownLatch g = deleteGate;
    deleteGate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** Number of successful file forces so far. */
  public int forces() {
    lock.lock();
    try {
      return forces;
    } finally {
      lock.unlock();
    }
  }

  /** Number of successful forces of one file so far. */
  public int forces(Path file) {
    lock.lock();
    try {
      return forcesByFile.getOrDefault(key(file), 0);
    } finally {
      lock.unlock();
    }
  }

  /** Current (not necessarily durable) bytes of a file, for tests that inspect or damage it. */
  public byte[] contents(Path file) throws IOException {
    lock.lock();
    try {
      Inode n = inode(file);
      return Arrays.copyOf(n.data, n.size);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Simulates a power loss: returns a new storage holding only what survived (durable bytes, a
   * random prefix of the later writes with one torn, each unsynced directory change by chance).
   * This instance fails every later call.
   */
  public FaultyStorage crash(Random random) {
    lock.lock();
    try {
      dead = true;
      FaultyStorage after = new FaultyStorage();
      Map<Inode, Inode> copies = new HashMap<>();
      Map<Path, Inode> entries = new HashMap<>(durableFiles);
      Set<Path> dirEntries = new HashSet<>(durableDirs);
      for (DirOp op : unsynced) {
        if (random.nextBoolean()) {
          applyDirOp(op, entries, dirEntries);
        }
      }
      for (var e : entries.entrySet()) {
        Inode copy = copies.computeIfAbsent(e.getValue(), n -> survivor(n, random));
        after.files.put(e.getKey(), copy);
        after.durableFiles.put(e.getKey(), copy);
      }
      after.dirs.addAll(dirEntries);
      after.durableDirs.addAll(dirEntries);
      return after;
    } finally {
      lock.unlock();
    }
  }

  /** A new storage holding exactly this one's durable state (files, bytes, entries). */
  public FaultyStorage copyDurable() {
    lock.lock();
    try {
      FaultyStorage copy = new FaultyStorage();
      Map<Inode, Inode> copies = new HashMap<>();
      for (var e : durableFiles.entrySet()) {
        Inode n =
            copies.computeIfAbsent(
                e.getValue(),
                old -> {
                  Inode c = new Inode();
                  c.apply(0, old.durable, old.durableSize);
                  c.durable = Arrays.copyOf(c.data, c.size);
                  c.durableSize = c.size;
                  return c;
                });
        copy.files.put(e.getKey(), n);
        copy.durableFiles.put(e.getKey(), n);
      }
      copy.dirs.addAll(durableDirs);
      copy.durableDirs.addAll(durableDirs);
      return copy;
    } finally {
      lock.unlock();
    }
  }

  private static Inode survivor(Inode n, Random random) {
    Inode s = new Inode();
    s.apply(0, n.durable, n.durableSize);
    int keep = random.nextInt(n.pending.size() + 1);
    for (int i = 0; i < keep && i < n.pending.size(); i++) {
      Object[] w = n.pending.get(i);
      byte[] b = (byte[]) w[1];
      int len = i == keep - 1 ? random.nextInt(b.length + 1) : b.length; // the last one is torn
      s.apply((Long) w[0], b, len);
    }
    s.durable = Arrays.copyOf(s.data, s.size);
    s.durableSize = s.size;
    return s;
  }

  private static void applyDirOp(DirOp op, Map<Path, Inode> entries, Set<Path> dirEntries) {
    switch (op.kind) {
      case "create" -> entries.put(op.path, op.inode);
      case "delete" -> entries.remove(op.path);
      case "rename" -> {
        entries.remove(op.path);
        entries.put(op.target, op.inode);
      }
      case "mkdir" -> dirEntries.add(op.path);
      default -> throw new IllegalStateException(op.kind);
    }
  }

  private void check(Op op, Path path) throws IOException {
    if (dead) {
      throw new IOException("storage crashed (simulated power loss): " + op + " " + path);
    }
    Fault f = fault;
    if (f != null) {
      IOException e = f.onCall(op, path);
      if (e != null && !(e instanceof PartialWrite)) {
        throw e;
      }
    }
  }

  private static Path key(Path p) {
    return p.toAbsolutePath().normalize();
  }

  private Inode inode(Path file) throws IOException {
    Inode n = files.get(key(file));
    if (n == null) {
      throw new java.nio.file.NoSuchFileException(file.toString());
    }
    return n;
  }

  @Override
  public StorageFile open(Path file) throws IOException {
    lock.lock();
    try {
      check(Op.OPEN, file);
      return new MemFile(key(file), inode(file), false);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public StorageFile create(Path file) throws IOException {
    lock.lock();
    try {
      check(Op.CREATE, file);
      Path k = key(file);
      if (files.containsKey(k)) {
        throw new java.nio.file.FileAlreadyExistsException(file.toString());
      }
      if (!dirs.contains(k.getParent())) {
        throw new java.nio.file.NoSuchFileException(k.getParent().toString());
      }
      Inode n = new Inode();
      files.put(k, n);
      unsynced.add(new DirOp("create", k, null, n));
      return new MemFile(k, n, false);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    lock.lock();
    try {
      check(Op.OPEN, file);
      return new MemFile(key(file), inode(file), true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Path> list(Path directory) throws IOException {
    lock.lock();
    try {
      check(Op.LIST, directory);
      Path d = key(directory);
      if (!dirs.contains(d)) {
        throw new java.nio.file.NoSuchFileException(directory.toString());
      }
      List<Path> out = new ArrayList<>();
      for (Path p : files.keySet()) {
        if (d.equals(p.getParent())) {
          out.add(p);
        }
      }
      for (Path p : dirs) {
        if (d.equals(p.getParent())) {
          out.add(p);
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean exists(Path path) throws IOException {
    lock.lock();
    try {
      check(Op.LIST, path);
      return files.containsKey(key(path)) || dirs.contains(key(path));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    lock.lock();
    try {
      check(Op.LIST, path);
      return dirs.contains(key(path));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void createDirectories(Path directory) throws IOException {
    lock.lock();
    try {
      check(Op.MKDIRS, directory);
      for (Path p = key(directory); p != null && !dirs.contains(p); p = p.getParent()) {
        dirs.add(p);
        unsynced.add(new DirOp("mkdir", p, null, null));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Creates a directory (test setup helper, e.g. one named like a segment). */
  public void mkdirDurable(Path directory) throws IOException {
    createDirectories(directory);
    lock.lock();
    try {
      for (Path p = key(directory); p != null; p = p.getParent()) {
        durableDirs.add(p);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void delete(Path file) throws IOException {
    CountDownLatch gate = deleteGate;
    if (gate != null) {
      deletesHeld.release();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted in a held delete");
      }
    }
    lock.lock();
    try {
      check(Op.DELETE, file);
      Path k = key(file);
      Inode n = inode(file);
      files.remove(k);
      unsynced.add(new DirOp("delete", k, null, n));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    lock.lock();
    try {
      check(Op.RENAME, source);
      Inode n = inode(source);
      files.remove(key(source));
      files.put(key(target), n);
      unsynced.add(new DirOp("rename", key(source), key(target), n));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void syncDirectory(Path directory) throws IOException {
    lock.lock();
    try {
      check(Op.SYNC_DIR, directory);
      Path d = key(directory);
      var it = unsynced.iterator();
      while (it.hasNext()) {
        DirOp op = it.next();
        if (d.equals(op.path.getParent())
            || (op.target != null && d.equals(op.target.getParent()))) {
          applyDirOp(op, durableFiles, durableDirs);
          it.remove();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<StorageFile> tryLock(Path file) throws IOException {
    lock.lock();
    try {
      check(Op.LOCK, file);
      Path k = key(file);
      Inode n = files.get(k);
      if (n == null) {
        n = new Inode();
        files.put(k, n);
        unsynced.add(new DirOp("create", k, null, n));
      }
      if (n.locked) {
        return Optional.empty();
      }
      n.locked = true;
      Inode held = n;
      return Optional.of(
          new MemFile(k, n, false) {
            @Override
            public void close() {
              lock.lock();
              try {
                held.locked = false;
              } finally {
                lock.unlock();
              }
            }
          });
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean stillNamesLock(StorageFile held, Path file) throws IOException {
    lock.lock();
    try {
      return held instanceof MemFile m && files.get(key(file)) == m.inode;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public byte[] readLockHolder(Path file, int max) throws IOException {
    lock.lock();
    try {
      Inode n = inode(file);
      return Arrays.copyOfRange(n.data, Math.min(1, n.size), Math.min(n.size, 1 + max));
    } finally {
      lock.unlock();
    }
  }

  /** Cuts a file to {@code size} bytes, durably (test setup). */
  public void truncate(Path file, long size) throws IOException {
    lock.lock();
    try {
      Inode n = inode(file);
      n.size = (int) Math.min(n.size, size);
      n.durable = Arrays.copyOf(n.data, n.size);
      n.durableSize = n.size;
      n.pending.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Removes a file durably (test setup). */
  public void remove(Path file) throws IOException {
    delete(file);
    syncDirectory(key(file).getParent());
  }

  /** Creates a file with the given bytes, durably (test setup). */
  public void put(Path file, byte[] bytes) throws IOException {
    try (StorageFile f = create(file)) {
      f.write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, 0);
      f.force(true);
    }
    syncDirectory(key(file).getParent());
  }

  /** Overwrites bytes of a file as durable content (test setup: damage, stale bytes). */
  public void poke(Path file, long position, byte[] bytes) throws IOException {
    lock.lock();
    try {
      Inode n = inode(file);
      n.apply(position, bytes, bytes.length);
      n.durable = Arrays.copyOf(n.data, n.size);
      n.durableSize = n.size;
    } finally {
      lock.unlock();
    }
  }

  private class MemFile implements StorageFile {
    private final Path path;
    private final Inode inode;
    private final boolean readOnly;

    MemFile(Path path, Inode inode, boolean readOnly) {
      this.path = path;
      this.inode = inode;
      this.readOnly = readOnly;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      lock.lock();
      try {
        check(Op.READ, path);
        if (position >= inode.size) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), inode.size - position);
        dst.put(inode.data, (int) position, n);
        return n;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void write(ByteBuffer[] srcs, long position) throws IOException {
      lock.lock();
      try {
        if (readOnly) {
          throw new IOException("read-only: " + path);
        }
        int total = 0;
        for (ByteBuffer b : srcs) {
          total += b.remaining();
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (ByteBuffer b : srcs) {
          int n = b.remaining();
          b.get(bytes, at, n);
          at += n;
        }
        if (dead) {
          throw new IOException("storage crashed (simulated power loss): WRITE " + path);
        }
        Fault f = fault;
        IOException e = f == null ? null : f.onCall(Op.WRITE, path);
        if (e instanceof PartialWrite p) {
          bytes = Arrays.copyOf(bytes, Math.min(p.written, bytes.length));
        }
        if (e == null || e instanceof PartialWrite) {
          inode.apply(position, bytes, bytes.length);
          inode.pending.add(new Object[] {position, bytes});
        }
        if (e != null) {
          throw e;
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void force(boolean metadata) throws IOException {
      CountDownLatch gate = forceGate;
      if (gate != null && forceFilter.test(path)) {
        forcesHeld.release();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted in a held force");
        }
      }
      lock.lock();
      try {
        check(Op.FORCE, path);
        inode.durable = Arrays.copyOf(inode.data, inode.size);
        inode.durableSize = inode.size;
        inode.pending.clear();
        forces++;
        forcesByFile.merge(path, 1, Integer::sum);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long size() throws IOException {
      lock.lock();
      try {
        check(Op.READ, path);
        return inode.size;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {}
  }
}
