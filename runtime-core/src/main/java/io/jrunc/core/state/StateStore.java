package io.jrunc.core.state;

import io.jrunc.core.sys.BoundedFile;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state directory: one directory per container under the root ({@code --root}, default
 * {@code /run/jrunc}, or {@code $XDG_RUNTIME_DIR/jrunc} when not root).
 *
 * <table>
 *   <caption>Files of one container, {@code <root>/<id>/}</caption>
 *   <tr><th>file</th><th>written by</th><th>meaning</th></tr>
 *   <tr><td>(the directory)</td><td>create, by mkdir</td><td>the id is taken: mkdir is atomic,
 *       so of two creates of one id exactly one wins</td></tr>
 *   <tr><td>{@code lock}</td><td>every command</td><td>an fcntl lock held while a command works
 *       on the container, so concurrent commands serialise</td></tr>
 *   <tr><td>{@code state.json}</td><td>create</td><td>{@link ContainerRecord}; absent while the
 *       container is being created ("creating")</td></tr>
 *   <tr><td>{@code config.json}</td><td>create</td><td>the spec the container was created from</td></tr>
 *   <tr><td>{@code exec.fifo}</td><td>create; removed by start</td><td>init blocks on it until
 *       start: its presence means "created"</td></tr>
 *   <tr><td>(the directory renamed {@code <root>/#deleting-<id>})</td><td>delete, first</td><td>being
 *       removed: no container of that id any more ({@link #remove})</td></tr>
 * </table>
 *
 * Every file is written to a temporary name and renamed, so a reader never sees half a file.
 * Every file is read through {@link BoundedFile} (a link, a FIFO or a file over 16 MiB is
 * refused), and a state.json that is not a well-formed record of its id is a
 * {@link MalformedRecordException}, never "creating" or "stopped".
 */
public final class StateStore {
  /**
   * fcntl locks belong to the process, so threads of one JVM also need a lock of their own per
   * container. An entry lives while a thread holds or waits for it: a JVM that runs containers
   * for days keeps one entry per container in use, not one per container it ever saw.
   */
  private static final ConcurrentHashMap<Path, InProcess> IN_PROCESS = new ConcurrentHashMap<>();

  /** The in-process lock of one container and how many threads hold or wait for it. */
  private static final class InProcess {
    final ReentrantLock lock = new ReentrantLock();
    int users; // changed only inside IN_PROCESS.compute*, which is atomic per key
  }

  private final Path root;

  /**
   * The record this store last wrote for an id, and the identity of the file it wrote it to.
   * A record never changes after create (state and status are derived, not stored), so a later
   * read in this JVM (run's start and delete, the API's, the shim's) takes it from here when
   * state.json is still that file: same inode, modification time and size; a container deleted
   * and created again by anyone is a new file. Saves reading and parsing the file again (~0.35 ms
   * each, interpreted, in a cold CLI JVM). Removed with the container; and since a container
   * another process deletes leaves its entry here until this store reads that id again, at most
   * {@link #REMEMBERED} are kept (a JVM that creates containers for days does not grow with them:
   * past the bound the map is emptied, and the next reads parse their files).
   */
  private final ConcurrentHashMap<String, Written> written = new ConcurrentHashMap<>();

  static final int REMEMBERED = 256;

  private record Written(ContainerRecord record, Object fileKey, long mtimeNanos, long size) {
    static Written of(ContainerRecord r, BasicFileAttributes a) {
      return new Written(r, a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
    }

    boolean sameFile(BasicFileAttributes a) {
      return a.isRegularFile() && fileKey != null && fileKey.equals(a.fileKey())
          && mtimeNanos == a.lastModifiedTime().to(TimeUnit.NANOSECONDS) && size == a.size();
    }
  }

  /** Remembers {@code r} as the content of {@code file}, just written. */
  private void remember(ContainerRecord r, Path file) {
    if (written.size() >= REMEMBERED) written.clear();
    try {
      written.put(r.id(), Written.of(r, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
    } catch (IOException e) {
      written.remove(r.id()); // read from the file then
    }
  }

  public StateStore(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** runc's default root for the current user. */
  public static Path defaultRoot(boolean root) {
    if (!root) {
      String xdg = System.getenv("XDG_RUNTIME_DIR");
      if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "jrunc");
    }
    return Path.of("/run/jrunc");
  }

  public Path root() {
    return root;
  }

  public static void checkId(String id) {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("container id cannot be empty");
    if (!validId(id)) {
      throw new IllegalArgumentException("invalid container id " + quote(id)
          + ": only letters, digits, '_', '+', '-' and '.' are allowed");
    }
  }

  /**
   * runc's rule for ids ({@code ^[\w+\-.]+$}, not "." or ".."): ASCII letters, digits, and
   * {@code _ + - .}. By hand, not a regex: every command checks its id, and in a fresh JVM
   * compiling the pattern initialised ~20 regex classes that each command's AOT cache then
   * preloaded.
   */
  private static boolean validId(String id) {
    if (id.isEmpty() || id.equals(".") || id.equals("..")) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '+' || c == '-' || c == '.';
      if (!ok) return false;
    }
    return true;
  }

  public Path dir(String id) {
    return root.resolve(id);
  }

  /** Claims the id: false if a container of that id exists. */
  public boolean claim(String id) throws IOException {
    checkId(id);
    try {
      // the owner's alone, root and container directory (runc: 0700 and 0711): the saved
      // config.json and state.json (0644, by the umask) hold the process's environment, often
      // with secrets, and nothing in the container reaches in here by path (the exec fifo and the
      // notify directory are opened by the runtime and handed over)
      var mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
      // createDirectories of an existing root (every create but the first) fails inside with a
      // FileAlreadyExistsException it catches: a stack trace filled interpreted in a cold JVM
      if (!Files.isDirectory(root)) Files.createDirectories(root, mode);
      Files.createDirectory(dir(id), mode);
      return true;
    } catch (FileAlreadyExistsException e) {
      if (e.getFile() != null && Path.of(e.getFile()).equals(dir(id))) return false;
      if (e.getFile() != null && !Files.isDirectory(Path.of(e.getFile()))) throw notADirectory(Path.of(e.getFile()));
      throw explained(e);
    } catch (java.nio.file.FileSystemException e) {
      throw explained(e);
    }
  }

  /**
   * NIO's FileSystemException says only the file's name; the errno name says why (a rootless user
   * pointed at root's /run/jrunc gets "permission denied (EACCES)").
   */
  static IOException explained(java.nio.file.FileSystemException e) {
    return new IOException(e.getFile() + ": " + why(e), e);
  }

  /** Why an I/O call failed, without the path the JDK's message may hold (the caller names it). */
  private static String why(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f) {
      return f instanceof java.nio.file.AccessDeniedException ? Errno.describe(Errno.EACCES)
          : f instanceof NoSuchFileException ? Errno.describe(Errno.ENOENT)
          : f instanceof FileAlreadyExistsException ? Errno.describe(Errno.EEXIST)
          : f instanceof java.nio.file.NotDirectoryException ? Errno.describe(Errno.ENOTDIR)
          : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /**
   * {@code e} of the operation {@code op} on {@code file}, as one sentence that names both: the
   * JDK's write(2) and rename(2) failures say only why ("No space left on device").
   */
  private static IOException failed(String op, Path file, IOException e) {
    return new IOException(op + " " + file + ": " + why(e), e);
  }

  /** Writes {@code data} into {@code target}, created or truncated; a failure names the file. */
  public static void writeFile(Path target, byte[] data) throws IOException {
    try {
      Files.write(target, data);
    } catch (IOException e) {
      throw failed("write", target, e);
    }
  }

  public boolean exists(String id) {
    checkId(id);
    return Files.isDirectory(dir(id));
  }

  /**
   * True when {@code id} is a valid id and its directory holds a {@code state.json} (of any
   * kind: whether it is a well-formed record is {@link #readRecord}'s to say). False also when
   * that cannot be told (e.g. no permission to look): a verb then reads the record before it
   * locks, which reports why.
   */
  public boolean hasRecordFile(String id) {
    if (id == null || !validId(id)) return false;
    return Files.exists(dir(id).resolve("state.json"), LinkOption.NOFOLLOW_LINKS);
  }

  /** Holds the container's lock until closed; other processes and threads wait. */
  public Lock lock(String id) throws IOException {
    Path lockFile = dir(id).resolve("lock");
    InProcess local = IN_PROCESS.compute(lockFile, (k, v) -> {
      InProcess e = v == null ? new InProcess() : v;
      e.users++;
      return e;
    });
    local.lock.lock();
    try {
      FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      try {
        FileLock fl = ch.lock();
        return new Lock(ch, fl, lockFile, local);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      local.lock.unlock();
      release(lockFile);
      throw e;
    }
  }

  /** One user fewer; the last one removes the entry. */
  private static void release(Path lockFile) {
    IN_PROCESS.computeIfPresent(lockFile, (k, v) -> --v.users == 0 ? null : v);
  }

  /** How many records this store keeps (for tests). */
  int rememberedRecords() {
    return written.size();
  }

  /** How many containers' in-process locks are held or waited for (for tests). */
  static int inProcessLocks() {
    return IN_PROCESS.size();
  }

  /** A container's lock; closed by the thread that took it (the in-process part is a ReentrantLock). */
  public static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    private final Path lockFile;
    private final InProcess local;

    Lock(FileChannel channel, FileLock lock, Path lockFile, InProcess local) {
      this.channel = channel;
      this.lock = lock;
      this.lockFile = lockFile;
      this.local = local;
    }

    private boolean closed;

    /** Releases the lock; a second call does nothing (a command may let go before its end). */
    @Override
    public void close() {
      if (closed) return;
      closed = true;
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock anyway
      } finally {
        local.lock.unlock();
        release(lockFile);
      }
    }
  }

  public void writeRecord(ContainerRecord r) throws IOException {
    // (not remembered: create writes its last record below; a record written here is pending)
    writeAtomically(dir(r.id()).resolve("state.json"), RecordCodec.write(r));
    written.remove(r.id());
  }

  /**
   * A record encoded ahead of its init's pid and start time ({@link #prepare}), so that create's
   * last record costs only its write once init is cloned.
   */
  public static final class Prepared {
    private final ContainerRecord record;
    private final RecordCodec.Parts parts;

    private Prepared(ContainerRecord record, RecordCodec.Parts parts) {
      this.record = record;
      this.parts = parts;
    }
  }

  /** {@code r} encoded but for its pid and pid start time (what {@link #writeRecord(Prepared, int, long)} gives). */
  public static Prepared prepare(ContainerRecord r) {
    return new Prepared(r, RecordCodec.Parts.of(r));
  }

  /**
   * Writes the prepared record with {@code pid} and {@code startTime} over the pending one
   * ({@link #replaceOwn}); returns that record.
   */
  public ContainerRecord writeRecord(Prepared p, int pid, long startTime) throws IOException {
    ContainerRecord r = p.record;
    ContainerRecord filled = new ContainerRecord(r.id(), r.bundle(), r.rootfs(), pid, startTime, r.created(), r.owner(),
        r.annotations(), r.ociVersion(), r.cgroup(), r.systemdCgroup(), r.rootless(), r.ownPidNamespace(), r.hooks());
    Path file = dir(r.id()).resolve("state.json");
    replaceOwn(file, p.parts.with(pid, startTime));
    remember(filled, file);
    return filled;
  }

  /**
   * The record, or null while the container is still being created (no state.json yet).
   *
   * @throws MalformedRecordException when the file is not a well-formed record of this id
   * @throws BoundedFile.RefusedException when it is not a regular file (a link, a FIFO) or is
   *     over {@link BoundedFile#JSON_LIMIT}
   */
  public ContainerRecord readRecord(String id) throws IOException {
    Path file = dir(id).resolve("state.json");
    Written w = written.get(id);
    if (w != null) {
      try {
        if (w.sameFile(Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS))) return w.record();
      } catch (IOException e) {
        // gone or unreadable: the read below says which
      }
      written.remove(id, w);
    }
    byte[] json;
    try {
      json = BoundedFile.readOwn(file, "state.json", BoundedFile.JSON_LIMIT);
    } catch (NoSuchFileException e) {
      return null;
    } catch (BoundedFile.RefusedException e) {
      // nothing of it can be read: a malformed record of which only the id is known
      throw new MalformedRecordException("state.json " + file + " " + e.reason(), file.toString(), List.of(e.reason()),
          new ContainerRecord(id, null, null, 0, 0, null, null, null, null, null, false, false, false), java.util.Set.of());
    }
    return RecordCodec.read(json, id, file.toString());
  }

  /** The spec the container was created from (its copy in the state directory). */
  public Spec readConfig(String id) throws IOException {
    Path file = dir(id).resolve("config.json");
    return Json.read(BoundedFile.readOwn(file, "the container's config.json", BoundedFile.JSON_LIMIT), Spec.class);
  }

  /**
   * The saved config when it has hooks, else null. {@code start} and {@code delete} read the
   * config only for its hooks (and the ociVersion the hooks are shown): whether there are any
   * is told from the bytes with {@link JsonPull} (a top-level {@code "hooks"} that is absent or
   * null), without the spec's Jackson codec, whose classes and initialisation cost each such
   * call ~10-20 ms of CPU in a fresh JVM. Anything else, and anything {@code JsonPull} does not
   * accept, takes the full read, which reports errors as {@link #readConfig} does.
   */
  public Spec readConfigIfHooks(ContainerRecord r) throws IOException {
    // the record says so (create writes it; a record from before says nothing): not even read
    if (Boolean.FALSE.equals(r.hooks())) return null;
    Path file = dir(r.id()).resolve("config.json");
    byte[] json = BoundedFile.readOwn(file, "the container's config.json", BoundedFile.JSON_LIMIT);
    return mayHaveHooks(json) ? Json.read(json, Spec.class) : null;
  }

  /** False only for a well-formed JSON object with no top-level "hooks" other than null. */
  static boolean mayHaveHooks(byte[] json) {
    try {
      JsonPull p = new JsonPull(json);
      JsonPull.Token t = p.next();
      if (t != JsonPull.Token.START_OBJECT) return true;
      while ((t = p.next()) == JsonPull.Token.FIELD_NAME) {
        boolean hooks = p.text().equalsIgnoreCase("hooks"); // bound case-insensitively (In.folded)
        t = p.next();
        if (hooks && t != JsonPull.Token.NULL) return true;
        p.skipChildren(t);
      }
      return p.next() != null; // (only END_OBJECT ends the loop) trailing content: let Jackson say
    } catch (JsonPull.SyntaxException e) {
      return true;
    }
  }

  /**
   * This process's pid for temporary names, read once from the {@code /proc/self} link:
   * {@code ProcessHandle.current()} sets up the JDK's process reaper (an executor, its thread
   * factory and queue) on first use, ~0.5 ms of every cold create. Where /proc cannot say
   * (missing, or of a pid namespace this process is not in), the JDK's answer; a /proc of an
   * ancestor namespace gives this process's number there, as unique among the root's writers,
   * which is all a temporary name needs.
   */
  private static final class SelfPid {
    static final long VALUE = read();

    private static long read() {
      try {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
      } catch (IOException | RuntimeException e) {
        return ProcessHandle.current().pid();
      }
    }
  }

  /** {@link #writeAtomically} over a file only this store writes: a pending state.json. */
  private static void replaceOwn(Path target, byte[] data) throws IOException {
    write(target, data, true);
  }

  public static void writeAtomically(Path target, byte[] data) throws IOException {
    write(target, data, false);
  }

  /**
   * A new file at {@code target}, replacing what was there in one step: a reader sees the old
   * file or the new one, never half of one. {@code exchange}, for a file of the store's own
   * (never a directory or someone else's): when {@code target} exists, the two names swap
   * (renameat2 RENAME_EXCHANGE) and the old file goes with the temporary name. ext4 (the
   * default mount option auto_da_alloc) writes out the new file's data at a rename(2) that
   * replaces a file, ~100 us on this project's test host against ~8 us for the exchange and
   * the unlink (measured with a C loop of each on /run); every create replaces its record once.
   * Where the target does not exist yet (ENOENT), or the filesystem cannot exchange, a rename.
   */
  private static void write(Path target, byte[] data, boolean exchange) throws IOException {
    // one temporary name per process and thread: two threads of an embedder writing one file at
    // once must not delete or rename each other's half-written temporary file
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp" + SelfPid.VALUE
        + "-" + Thread.currentThread().threadId());
    // a fresh file (O_EXCL): a link or FIFO left at the temporary name is replaced, never
    // written through (a --pid-file may be in a directory others can write to)
    // (a leftover is the rare case: deleted only then, so the usual write costs no failed
    // lstat and no NoSuchFileException inside deleteIfExists)
    // A failure names the file and leaves no temporary one behind (a full disk, say: the
    // --pid-file's directory is not removed with the container's).
    try {
      try {
        Files.write(tmp, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(tmp);
        Files.write(tmp, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
    } catch (IOException e) {
      throw discarding(tmp, failed("write", target, e));
    }
    if (exchange && Libc.renameExchange(tmp.toString(), target.toString()) == 0) {
      // the old record, now at the temporary name; one left by a failure here is replaced by
      // the next write's O_EXCL retry, or removed with the directory
      tmp.toFile().delete();
      return;
    }
    try {
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw discarding(tmp, failed("rename " + tmp + " to", target, e));
    }
  }

  /** Removes the temporary file {@code tmp} (as far as it can) and returns {@code e}. */
  private static IOException discarding(Path tmp, IOException e) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException x) {
      e.addSuppressed(x);
    }
    return e;
  }

  /**
   * A --root (or a directory on its way) that is a file: runc's words ("mkdir /x: not a
   * directory"), where create's mkdir said EEXIST of that file and list showed nothing.
   */
  private static IOException notADirectory(Path p) {
    return new IOException(p + ": " + Errno.describe(Errno.ENOTDIR));
  }

  /** Ids of every container in the root, sorted. */
  public List<String> ids() throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      if (Files.exists(root)) throw notADirectory(root);
      return ids;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.startsWith(GONE)) ids.add(name); // a directory a delete is removing
      }
    } catch (java.nio.file.FileSystemException e) {
      throw explained(e);
    }
    ids.sort(Comparator.naturalOrder());
    return ids;
  }

  /** Removes the container's directory and everything in it. */
  public void remove(String id) throws IOException {
    written.remove(id);
    Path d = dir(id);
    // Out of sight first, in one rename(2) to a name no id can have: removed in place, the
    // directory without its state.json read as a container being created to whoever looked
    // while a delete was under way (state said "creating", kill and start "is being created",
    // where runc says "does not exist", the words engines act on). One name per id: a second
    // delete of the id finds nothing to rename; a rename that fails otherwise (a leftover of a
    // killed delete in the way, a name too long, a mount point) leaves it to the removal in place.
    // (String.concat, not +: that call site's link read java.lang.invoke classes outside the
    // delete cache, which the build's smoke check refuses)
    java.io.File gone = new java.io.File(root.toFile(), GONE.concat(id));
    removeLeftover(gone);
    if (d.toFile().renameTo(gone)) d = gone.toPath();
    // The files of the table above by name (state.json first: a reader then sees no container
    // rather than half of one), then the directory, through java.io: one unlink(2) each, no
    // directory listing (a stream and ~10 classes on every delete). Anything else in it (a
    // notify socket's directory, a temporary file a killed writer left) keeps the directory: the
    // listing below then removes the rest.
    for (String f : FILES) new java.io.File(d.toFile(), f).delete();
    if (d.toFile().delete() || !Files.exists(d, LinkOption.NOFOLLOW_LINKS)) return;
    try {
      removeTree(d);
    } catch (NoSuchFileException e) {
      // a leftover's removal (removeLeftover) took the rest meanwhile
    }
  }

  /**
   * The prefix of a container directory {@link #remove} has taken out of sight: not a valid id
   * ({@code #}), so never a container's, and left out of {@link #ids}.
   */
  static final String GONE = "#deleting-";

  /**
   * Removes what a delete killed between its rename and its last unlink left of {@code id}
   * (its cgroup and processes were gone before that rename): the next delete of the id, or a
   * {@code delete --force} that finds no such container, takes it. Best effort: a removal
   * under way elsewhere may take it first.
   */
  public void removeLeftover(String id) {
    if (validId(id)) removeLeftover(new java.io.File(root.toFile(), GONE.concat(id)));
  }

  private static void removeLeftover(java.io.File gone) {
    if (!gone.exists()) return;
    try {
      removeTree(gone.toPath());
    } catch (IOException e) {
      // gone meanwhile, or not ours to take: the removal in place below copes
    }
  }

  private static final String[] FILES = {"state.json", "config.json", "exec.fifo", "lock"};

  /**
   * Depth first, links not followed (as Files.walk). A plain loop, not a walk stream sorted in
   * reverse: a container's directory holds a handful of files (measured: no difference in time,
   * fewer classes on delete).
   */
  private static void removeTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
        for (Path c : entries) removeTree(c);
      }
    }
    Files.deleteIfExists(p);
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
