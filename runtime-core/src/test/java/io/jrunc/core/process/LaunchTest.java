package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The parent's side of a launch when the process forked into a pid namespace reports before the
 * first child has announced it: the two write to one report pipe, and the first child need not
 * have run since its clone. The child here writes the reports in that order itself (the
 * listener's, then the fork's) and exits, as the first child would; no root needed.
 */
class LaunchTest {
  private static byte[] record(long index, long value) {
    return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(index).putLong(value).array();
  }

  @Test
  void aListenerAnnouncedBeforeTheForkIsTheForkedProcesses() throws Exception {
    int forkedPid = 424242;
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      Step fork = b.call(Sys.GETPID).describe("stands in for the fork step");
      Step listener = b.call(Sys.GETPID).describe("stands in for the seccomp step");
      b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(record(listener.index(), 3)), 16L).describe("announce the listener");
      b.call(Sys.WRITE, (long) ch.reportWrite(), b.bytes(record(fork.index(), forkedPid)), 16L).describe("announce the pid");
      b.call(Sys.EXIT_GROUP, 0L).describe("exit");
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, 0, -1);
      List<String> events = new ArrayList<>();
      Launch.Outcome out = Launch.drive(p, ch, c.pid(), Set.of(fork.index(), listener.index()), listener.index(),
          new Launch.Events<RuntimeException>() {
            @Override
            public void listener(int pid, long childFd) {
              events.add("listener " + pid + " fd " + childFd);
            }

            @Override
            public void forked(int pid) {
              events.add("forked " + pid);
            }
          });
      // before: "listener <first child> fd 3" (its pidfd_getfd then failed with ESRCH)
      assertThat(events).containsExactly("forked " + forkedPid, "listener " + forkedPid + " fd 3");
      assertThat(out.pid()).isEqualTo(forkedPid);
      assertThat(out.last().eof()).isTrue();
    }
  }
}
