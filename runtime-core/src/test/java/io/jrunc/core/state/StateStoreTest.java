package io.jrunc.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The state directory without root: claims, atomic writes, the lock, the listing, and that locks are not leaked. */
@Timeout(120)
class StateStoreTest {
  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private StateStore store() {
    return new StateStore(tmp.resolve("root"));
  }

  private static ContainerRecord record(String id, int pid, String annotation) {
    return new ContainerRecord(id, "/b", "/b/rootfs", pid, 4242L + pid, "2026-01-01T00:00:00Z", "root",
        Map.of("a", annotation), "1.3.0", Map.of("driver", "cgroupfs"), false, false, true);
  }

  /** The state root and a container's directory are the owner's alone: config.json and state.json hold its environment. */
  @Test
  void theStateDirectoriesAreTheOwnersAlone() throws Exception {
    StateStore s = store();
    assertThat(s.claim("c1")).isTrue();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("root"))))
        .isEqualTo("rwx------");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("root/c1"))))
        .isEqualTo("rwx------");
  }

  /**
   * A record this store wrote is read back without parsing while state.json is the file it
   * wrote; a container another store (another process) deleted and created again under the
   * same id is read from its file, and so is a file changed under it; a removed one is gone.
   */
  @Test
  void aRecordWrittenHereIsReadBackUntilItsFileIsAnotherOne() throws Exception {
    StateStore here = store(), elsewhere = store();
    assertThat(here.claim("c1")).isTrue();
    // a pending record (pid 0) is not kept; create's last one, with init's pid, is
    here.writeRecord(record("c1", 0, "mine"));
    assertThat(here.readRecord("c1")).isNotSameAs(here.readRecord("c1"));
    ContainerRecord mine = here.writeRecord(StateStore.prepare(record("c1", 0, "mine")), 1, 4243);
    assertThat(here.readRecord("c1")).isSameAs(mine);
    assertThat(elsewhere.readRecord("c1")).isEqualTo(mine).isNotSameAs(mine);

    elsewhere.remove("c1");
    assertThat(elsewhere.claim("c1")).isTrue();
    ContainerRecord theirs = record("c1", 1, "their"); // the same size as mine
    elsewhere.writeRecord(theirs);
    assertThat(here.readRecord("c1")).isEqualTo(theirs);

    // the same file rewritten in place (no rename): its modification time or size changed
    Path file = tmp.resolve("root/c1/state.json");
    here.writeRecord(StateStore.prepare(mine), 1, 4243);
    String other = Files.readString(file).replace("\"mine\"", "\"ours\"");
    Files.writeString(file, other);
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(1_000));
    assertThat(here.readRecord("c1").annotations()).containsEntry("a", "ours");

    elsewhere.remove("c1");
    assertThat(here.readRecord("c1")).isNull();

    // containers removed by others, whose ids this store never reads again: a bounded number kept
    for (int i = 0; i < StateStore.REMEMBERED + 10; i++) {
      String id = "many-" + i;
      assertThat(here.claim(id)).isTrue();
      here.writeRecord(StateStore.prepare(record(id, 0, "x")), 1, 4243);
      elsewhere.remove(id);
    }
    assertThat(here.rememberedRecords()).isBetween(1, StateStore.REMEMBERED);
  }

  @Test
  void ofConcurrentClaimsOfOneIdExactlyOneWins() throws Exception {
    StateStore store = store();
    int threads = 8;
    for (int round = 0; round < 50; round++) {
      String id = "race-" + round;
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        claims.add(pool.submit(() -> {
          start.await();
          return store.claim(id);
        }));
      }
      int won = 0;
      for (Future<Boolean> f : claims) if (f.get()) won++;
      assertThat(won).as("winners of the claim of %s", id).isEqualTo(1);
      assertThat(store.exists(id)).isTrue();
    }
  }

  /** A --root that is a file is said to be one by create and by list (runc: "not a directory"), not taken for an empty root. */
  @Test
  void aRootThatIsAFileIsNotADirectory() throws Exception {
    Path file = Files.createFile(tmp.resolve("root-file"));
    StateStore store = new StateStore(file);
    assertThatThrownBy(() -> store.claim("c1")).hasMessage(file + ": not a directory (ENOTDIR)");
    assertThatThrownBy(store::ids).hasMessage(file + ": not a directory (ENOTDIR)");
    assertThat(new StateStore(tmp.resolve("absent")).ids()).isEmpty();
  }

  @Test
  void idsAreCheckedAsRuncChecksThem() {
    StateStore store = store();
    for (String bad : List.of("", "..", ".", "a/b", "../x", "a b", "abc\n", "\nabc", "caf\u00e9", "a\u0660",
        "a:b", "a*", "a\u0000b", "~")) {
      assertThatThrownBy(() -> store.claim(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    for (String good : List.of("a-b_c+d.e", "...", ".a", "a..", "Z9", "_", "+", "-", "0123456789")) {
      StateStore.checkId(good);
    }
  }

  /** start and kill lock before they read the record when its file is there: only a valid id's own file counts. */
  @Test
  void hasRecordFileOnlyForAValidIdWithAStateFile() throws Exception {
    StateStore store = store();
    assertThat(store.hasRecordFile("c1")).isFalse(); // no directory
    assertThat(store.claim("c1")).isTrue();
    assertThat(store.hasRecordFile("c1")).isFalse(); // being created: no state.json yet
    store.writeRecord(record("c1", 1, "x"));
    assertThat(store.hasRecordFile("c1")).isTrue();
    // a record of another directory reached through "..": not this id's, whatever is there
    assertThat(store.claim("c2")).isTrue();
    assertThat(store.hasRecordFile("c2/../c1")).isFalse();
    assertThat(store.hasRecordFile("..")).isFalse();
    assertThat(store.hasRecordFile("")).isFalse();
    assertThat(store.hasRecordFile(null)).isFalse();
    // a link is a file there (readRecord refuses it, under the lock)
    java.nio.file.Files.createSymbolicLink(store.dir("c2").resolve("state.json"), Path.of("/nonexistent"));
    assertThat(store.hasRecordFile("c2")).isTrue();
  }

  /** A file is written to a temporary name and renamed: a reader sees the old record or the new one, whole. */
  @Test
  void aReaderNeverSeesAHalfWrittenRecord() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    // records of very different sizes: a write in place would show a reader a truncated one
    ContainerRecord small = record("c1", 1, "x");
    ContainerRecord big = record("c1", 2, "y".repeat(256 * 1024));
    store.writeRecord(small);
    AtomicBoolean done = new AtomicBoolean();
    Future<Integer> reader = pool.submit(() -> {
      int reads = 0;
      while (!done.get() || reads == 0) {
        ContainerRecord r = store.readRecord("c1");
        assertThat(r).isIn(small, big);
        reads++;
      }
      return reads;
    });
    try {
      for (int i = 0; i < 400; i++) store.writeRecord(i % 2 == 0 ? big : small);
    } finally {
      done.set(true);
    }
    assertThat(reader.get()).isPositive();
    assertThat(store.readRecord("c1")).isEqualTo(small);
    assertThat(names(store.dir("c1"))).containsExactly("state.json"); // no temporary file left
  }

  /**
   * create's last record replaces the pending one (StateStore swaps the names, LibcTest checks
   * the swap itself): a reader sees either record whole, and nothing is left beside state.json;
   * also from threads writing at once.
   */
  @Test
  void theLastRecordReplacesThePendingOneWhole() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    ContainerRecord pending = record("c1", 0, "y".repeat(256 * 1024));
    store.writeRecord(pending);
    StateStore.Prepared last = StateStore.prepare(record("c1", 0, "x"));
    Object inode = Files.readAttributes(store.dir("c1").resolve("state.json"), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    AtomicBoolean done = new AtomicBoolean();
    Future<Integer> reader = pool.submit(() -> {
      int reads = 0;
      while (!done.get() || reads == 0) {
        ContainerRecord r = store.readRecord("c1");
        assertThat(r.annotations().get("a")).isIn("x", pending.annotations().get("a"));
        reads++;
      }
      return reads;
    });
    CyclicBarrier start = new CyclicBarrier(2);
    List<Future<?>> writers = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        int pid = t + 1;
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 200; i++) {
            store.writeRecord(pending); // back to a big pending one
            store.writeRecord(last, pid, 4243);
          }
          return null;
        }));
      }
      for (Future<?> w : writers) w.get();
    } finally {
      done.set(true);
    }
    assertThat(reader.get()).isPositive();
    assertThat(store.readRecord("c1").annotations()).containsEntry("a", "x");
    assertThat(names(store.dir("c1"))).containsExactly("state.json");
    assertThat(Files.readAttributes(store.dir("c1").resolve("state.json"), java.nio.file.attribute.BasicFileAttributes.class).fileKey())
        .isNotEqualTo(inode);
  }

  /** Threads of one JVM that write one file at once must not take each other's temporary file. */
  @Test
  void concurrentWritersOfOneFileDoNotCollide() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      ContainerRecord mine = record("c1", t + 1, Integer.toString(t).repeat(64 * 1024));
      writers.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 200; i++) store.writeRecord(mine);
        return null;
      }));
    }
    for (Future<?> w : writers) w.get();
    assertThat(store.readRecord("c1").pid()).isBetween(1, threads);
    assertThat(names(store.dir("c1"))).containsExactly("state.json");
  }

  /**
   * A link or a FIFO left at this thread's temporary name (a crash, or someone else's doing in
   * a directory others can write to) is replaced, never written through.
   */
  @Test
  void whatIsLeftAtTheTemporaryNameIsReplacedNotWrittenThrough() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("w"));
    Path target = dir.resolve("pid");
    Path tmpName = dir.resolve(".pid.tmp" + ProcessHandle.current().pid() + "-" + Thread.currentThread().threadId());
    Path victim = Files.writeString(tmp.resolve("victim"), "untouched");
    Files.createSymbolicLink(tmpName, victim);
    StateStore.writeAtomically(target, "1\n".getBytes());
    assertThat(Files.readString(target)).isEqualTo("1\n");
    assertThat(Files.readString(victim)).isEqualTo("untouched");
    assertThat(Files.exists(tmpName, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    StateStore.writeAtomically(target, "2\n".getBytes()); // and the usual case: nothing there
    assertThat(Files.readString(target)).isEqualTo("2\n");
  }

  @Test
  void aContainerBeingCreatedHasNoRecordYet() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    assertThat(store.readRecord("c1")).isNull();
  }

  @Test
  void theLockSerialisesThreads() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    Path counter = store.dir("c1").resolve("counter");
    Files.writeString(counter, "0");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    int threads = 8;
    int each = 50;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < each; i++) {
          try (StateStore.Lock lock = store.lock("c1")) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            int n = Integer.parseInt(Files.readString(counter));
            Thread.yield();
            Files.writeString(counter, Integer.toString(n + 1));
            inside.decrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> w : workers) w.get();
    assertThat(most.get()).isEqualTo(1);
    assertThat(Files.readString(counter)).isEqualTo(Integer.toString(threads * each));
  }

  /** fcntl locks belong to a process: another process's lock makes this one wait. */
  @Test
  void theLockSerialisesProcesses() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
        store.root().toString(), "c1")
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");
      Locker mine = new Locker(store, "c1");
      assertThat(mine.acquired.await(500, TimeUnit.MILLISECONDS)).as("locked while another process holds it").isFalse();
      holder.getOutputStream().close(); // the holder lets go and exits
      assertThat(mine.acquired.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
      mine.release();
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void listingIsTheContainersDirectoriesSorted() throws Exception {
    StateStore store = store();
    assertThat(store.ids()).isEmpty(); // no root yet: nothing, not an error
    for (String id : List.of("c", "a", "b")) assertThat(store.claim(id)).isTrue();
    Files.writeString(store.root().resolve("not-a-container"), "x");
    assertThat(store.ids()).containsExactly("a", "b", "c");
    store.writeRecord(record("b", 1, "x"));
    store.remove("b");
    store.remove("b"); // a second remove does nothing
    assertThat(store.ids()).containsExactly("a", "c");
    assertThat(store.exists("b")).isFalse();
  }

  /**
   * remove() deletes the known files by name and the directory; whatever else is there (a notify
   * socket's directory, a temporary file a killed writer left, a link) goes through the listing,
   * and a link's target is kept.
   */
  @Test
  void removeTakesTheKnownFilesAndAnythingElseInTheDirectory() throws Exception {
    StateStore store = store();
    assertThat(store.claim("k")).isTrue();
    store.writeRecord(record("k", 1, "x"));
    try (StateStore.Lock lock = store.lock("k")) {
      Path d = store.dir("k");
      Files.writeString(d.resolve("config.json"), "{}");
      Files.writeString(d.resolve(".state.json.tmp1-1"), "half");
      Files.createDirectories(d.resolve("notify/sub"));
      Files.writeString(d.resolve("notify/sub/f"), "x");
      Path outside = Files.writeString(tmp.resolve("outside"), "keep");
      Files.createSymbolicLink(d.resolve("link"), outside);
      store.remove("k");
      assertThat(d).doesNotExist();
      assertThat(outside).hasContent("keep");
    }
    // only the known files: no listing needed, and the same end
    assertThat(store.claim("k2")).isTrue();
    store.writeRecord(record("k2", 1, "x"));
    try (StateStore.Lock lock = store.lock("k2")) {
      store.remove("k2");
    }
    assertThat(store.dir("k2")).doesNotExist();
    assertThat(store.ids()).isEmpty();
  }

  /**
   * remove() first renames the directory to a name no id can have, so a reader during a delete
   * sees no container, not a directory without state.json (which reads as one being created);
   * the listing leaves such names out. What a delete killed after its rename left is removed by
   * the next removal of that id, or by removeLeftover (delete --force of a missing id).
   */
  @Test
  void removeTakesTheContainerOutOfSightFirst() throws Exception {
    StateStore store = store();
    assertThat(store.claim("g")).isTrue();
    store.writeRecord(record("g", 1, "x"));
    store.remove("g");
    assertThat(store.dir("g")).doesNotExist();
    try (var s = Files.list(store.root())) {
      assertThat(s.toList()).isEmpty(); // nothing left under the other name either
    }

    Path leftover = Files.createDirectories(store.root().resolve(StateStore.GONE + "g2"));
    Files.writeString(leftover.resolve("state.json"), "half");
    assertThat(store.claim("g2")).isTrue();
    store.writeRecord(record("g2", 1, "x"));
    assertThat(store.ids()).containsExactly("g2");
    store.remove("g2");
    try (var s = Files.list(store.root())) {
      assertThat(s.toList()).isEmpty(); // the container and the leftover
    }

    Files.createDirectories(leftover.resolve("notify"));
    Files.writeString(leftover.resolve("config.json"), "{}");
    store.removeLeftover("g3"); // another id's: nothing
    assertThat(leftover).exists();
    store.removeLeftover("g2");
    assertThat(leftover).doesNotExist();
    store.removeLeftover("g2"); // none: nothing to do
  }

  /** An embedder that runs containers for days must not keep a lock per container it ever saw. */
  @Test
  void inProcessLocksAreReleasedWhenNoOneHoldsThem() throws Exception {
    StateStore store = store();
    int before = StateStore.inProcessLocks();
    for (int i = 0; i < 5000; i++) {
      String id = "c" + i;
      assertThat(store.claim(id)).isTrue();
      try (StateStore.Lock lock = store.lock(id)) {
        assertThat(StateStore.inProcessLocks()).isEqualTo(before + 1);
      }
      store.remove(id);
    }
    assertThat(StateStore.inProcessLocks()).isEqualTo(before);
    // a lock that cannot be taken (no such container) leaves nothing either
    assertThatThrownBy(() -> store.lock("gone")).isInstanceOf(NoSuchFileException.class);
    assertThat(StateStore.inProcessLocks()).isEqualTo(before);
  }

  /** The entry stays while a thread waits for it, so the waiter and the holder share one lock. */
  @Test
  void anEntryOutlivesItsHolderWhileSomeoneWaits() throws Exception {
    StateStore store = store();
    assertThat(store.claim("c1")).isTrue();
    int before = StateStore.inProcessLocks();
    StateStore.Lock first = store.lock("c1");
    Locker second = new Locker(store, "c1");
    assertThat(second.acquired.await(300, TimeUnit.MILLISECONDS)).isFalse();
    first.close();
    first.close(); // a second close does nothing
    assertThat(second.acquired.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(StateStore.inProcessLocks()).isEqualTo(before + 1);
    // a third thread is excluded by the same lock, not let in by a new entry
    Locker third = new Locker(store, "c1");
    assertThat(third.acquired.await(300, TimeUnit.MILLISECONDS)).isFalse();
    second.release();
    assertThat(third.acquired.await(30, TimeUnit.SECONDS)).isTrue();
    third.release();
    assertThat(StateStore.inProcessLocks()).isEqualTo(before);
  }

  /** A thread that takes the lock, holds it until {@link #release}, and closes it itself (a Lock belongs to its thread). */
  private static final class Locker {
    final CountDownLatch acquired = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    Locker(StateStore store, String id) {
      Thread.ofPlatform().daemon().start(() -> {
        try {
          try (StateStore.Lock lock = store.lock(id)) {
            acquired.countDown();
            letGo.await();
          }
          done.complete(null);
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      });
    }

    void release() throws Exception {
      letGo.countDown();
      done.get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** start and delete parse the saved config (Jackson) only when it may have hooks. */
  @Test
  void aConfigWithoutHooksIsToldFromItsBytes() {
    for (String noHooks : new String[] {"{}", "{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"hooks\":{}}}",
        "{\"hooks\":null,\"linux\":{\"x\":[1,2,{\"hooks\":1}]}}"}) {
      org.assertj.core.api.Assertions.assertThat(StateStore.mayHaveHooks(noHooks.getBytes())).as(noHooks).isFalse();
    }
    for (String hooks : new String[] {"{\"hooks\":{}}", "{\"a\":1,\"hooks\":{\"poststop\":[{\"path\":\"/x\"}]}}",
        "{\"hooks\":[]}", "[]", "", "{\"a\":1", "{\"a\":1,\"a\":2}", "{} {}", "{\"hooks\":1}"}) {
      org.assertj.core.api.Assertions.assertThat(StateStore.mayHaveHooks(hooks.getBytes())).as(hooks).isTrue();
    }
  }

  /**
   * A record that says its config has no hooks spares start and delete the read of config.json
   * (even a broken one is not looked at); one that says it has, or a record from before the
   * field (null), reads it as before.
   */
  @Test
  void theRecordTellsWhetherTheConfigMustBeRead() throws Exception {
    StateStore store = store();
    assertThat(store.claim("h1")).isTrue();
    Files.writeString(store.dir("h1").resolve("config.json"), "{\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\"}]}}");
    ContainerRecord base = record("h1", 1, "x");
    ContainerRecord no = withHooks(base, false), yes = withHooks(base, true);
    assertThat(store.readConfigIfHooks(no)).isNull();
    assertThat(store.readConfigIfHooks(yes).hooks().poststop()).hasSize(1);
    assertThat(store.readConfigIfHooks(base).hooks().poststop()).hasSize(1); // unknown: read
    Files.writeString(store.dir("h1").resolve("config.json"), "{not json");
    assertThat(store.readConfigIfHooks(no)).isNull();
    assertThatThrownBy(() -> store.readConfigIfHooks(base)).isInstanceOf(java.io.IOException.class);
    // and the field survives state.json
    store.writeRecord(no);
    assertThat(store.readRecord("h1").hooks()).isFalse();
    store.writeRecord(base);
    assertThat(store.readRecord("h1").hooks()).isNull();
  }

  private static ContainerRecord withHooks(ContainerRecord r, boolean hooks) {
    return new ContainerRecord(r.id(), r.bundle(), r.rootfs(), r.pid(), r.pidStartTime(), r.created(), r.owner(),
        r.annotations(), r.ociVersion(), r.cgroup(), r.systemdCgroup(), r.rootless(), r.ownPidNamespace(), hooks);
  }
}
