package io.jrunc.core.spawn;

import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.SysException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The parent/child protocol of one spawn: two CLOEXEC pipes, made before the child program
 * is planned (the program refers to their fd numbers).
 *
 * <table>
 *   <caption>Messages</caption>
 *   <tr><th>direction</th><th>pipe</th><th>bytes</th><th>meaning</th></tr>
 *   <tr><td>parent → child</td><td>sync</td><td>1 byte</td><td>go on: uid/gid maps are
 *       written, the cgroup is joined, oom_score_adj is set. EOF instead means the parent died:
 *       the child's read then returns 0, which fails the step ({@code atLeast(1)})</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{index &ge; 0, -errno}</td><td>step
 *       {@code index} failed; the child exits 1</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{index of an announcing step, value}</td><td>an
 *       announcement: the pid a fork into a pid namespace returned</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{2^30 + i, -errno}</td><td>step i of
 *       leaving the JVM failed (keeping a descriptor, executing the stub); the child exits 1</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{-5, -errno}</td><td>the stub could not map
 *       the program image at its address; it exits 127</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{-2, 0}</td><td>init unshared its new user
 *       namespace (and those it owns) and reads the sync pipe: the parent writes the maps and
 *       moves network devices first. The parent sends no release before this report</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{-3, 0}</td><td>paused before pivot_root
 *       for prestart/createRuntime/createContainer hooks; it reads the sync pipe again</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>{-1, 0}</td><td>ready: set up and about to
 *       block until {@code start}</td></tr>
 *   <tr><td>child → parent</td><td>report</td><td>EOF</td><td>every copy of the write end is
 *       closed: by {@code execve} (CLOEXEC) on success, or because the child died</td></tr>
 * </table>
 *
 * Records are two native-endian 64-bit words.
 */
public final class SpawnChannel implements AutoCloseable {
  public static final long READY = -1;
  /** init unshared its new user namespace and waits for the maps (ProcessSteps.unshareUserNamespace). */
  public static final long USERNS = -2;
  /** The child paused for the create-phase hooks (after its mounts, before pivot_root). */
  public static final long HOOKS = -3;
  /** The stub could not map the program image at its address ({-5, -errno}). */
  public static final long STUB_MAP = -5;
  /** Reports of the steps that leave the JVM carry this plus their index. */
  public static final long LEAVE_JVM_BASE = 1L << 30;

  private int reportRead, reportWrite, syncRead, syncWrite;

  public SpawnChannel() throws SysException {
    int[] r = Libc.pipe2(Open.O_CLOEXEC);
    int[] s;
    try {
      s = Libc.pipe2(Open.O_CLOEXEC);
    } catch (SysException e) {
      Libc.close(r[0]);
      Libc.close(r[1]);
      throw e;
    }
    reportRead = r[0];
    reportWrite = r[1];
    syncRead = s[0];
    syncWrite = s[1];
  }

  public int reportRead() { return reportRead; }
  public int reportWrite() { return reportWrite; }
  public int syncRead() { return syncRead; }
  public int syncWrite() { return syncWrite; }

  /** After clone: the parent keeps only its own ends, so EOF on report means the child is gone or exec'd. */
  void closeChildEnds() {
    Libc.close(reportWrite);
    Libc.close(syncRead);
    reportWrite = -1;
    syncRead = -1;
  }

  /** Lets the child go on past its next sync read (it reads once after clone, once per pause). */
  public void release() throws SysException {
    Libc.write(syncWrite, new byte[] {1});
  }

  /**
   * Hands the report pipe's read end to the caller, who closes it; {@link #close} leaves it. For
   * create's caller in this process: a step of init's after READY that fails (its execve, once
   * start released it) is reported there ({@link Spawner#awaitExec}).
   */
  public int detachReportRead() {
    int fd = reportRead;
    reportRead = -1;
    return fd;
  }

  /** One record from the child, or null at EOF. */
  long[] next() throws SysException {
    return next(reportRead);
  }

  /** One record from the report pipe's read end {@code reportRead}, or null at EOF. */
  static long[] next(int reportRead) throws SysException {
    byte[] buf = new byte[16];
    int got = 0;
    while (got < 16) {
      byte[] part = new byte[16 - got];
      int n = Libc.read(reportRead, part, part.length);
      if (n == 0) return null;
      System.arraycopy(part, 0, buf, got, n);
      got += n;
    }
    ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    return new long[] {bb.getLong(), bb.getLong()};
  }

  @Override
  public void close() {
    for (int fd : new int[] {reportRead, reportWrite, syncRead, syncWrite}) Libc.close(fd);
    reportRead = reportWrite = syncRead = syncWrite = -1;
  }

}
