package io.jrunc.core.spawn;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.sys.Sys;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a program's memory holds once built, as the child reads it: string arguments are staged
 * and copied in runs ({@link ProgramBuilder}), so strings placed before, between and after
 * memory written in place (structs, argv arrays) must all land, and none over the structs.
 */
class ProgramBuilderMemoryTest {
  @Test
  void stringsStructsAndArraysInterleavedAllLandWhereTheirAddressesSay() {
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Step> opens = new ArrayList<>();
      List<MemorySegment> structs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // long enough that the staging buffer (4 KiB at first) has to grow
        opens.add(b.call(Sys.OPENAT, -100L, "/some/path/" + i + "/é".repeat(i % 7), 0L, 0L).describe("open " + i));
        if (i % 3 == 0) {
          MemorySegment s = b.alloc(16);
          s.set(JAVA_LONG, 0, 0x1111_0000L + i); // written in place, right after staged strings
          s.set(JAVA_LONG, 8, -1L);
          structs.add(s);
        }
      }
      MemorySegment argv = b.stringArray(List.of("sh", "-c", "echo staged"));
      Step exec = b.call(Sys.EXECVE, "/bin/sh", argv, 0L).describe("exec");
      b.build();

      for (int i = 0; i < 300; i++) {
        assertThat(b.stringAt(b.calls().get(opens.get(i).index).args()[1]))
            .isEqualTo("/some/path/" + i + "/é".repeat(i % 7));
      }
      for (int k = 0; k < structs.size(); k++) {
        assertThat(structs.get(k).get(JAVA_LONG, 0)).isEqualTo(0x1111_0000L + 3L * k);
        assertThat(structs.get(k).get(JAVA_LONG, 8)).isEqualTo(-1L);
      }
      assertThat(b.stringAt(argv.getAtIndex(JAVA_LONG, 0))).isEqualTo("sh");
      assertThat(b.stringAt(argv.getAtIndex(JAVA_LONG, 1))).isEqualTo("-c");
      assertThat(b.stringAt(argv.getAtIndex(JAVA_LONG, 2))).isEqualTo("echo staged");
      assertThat(argv.getAtIndex(JAVA_LONG, 3)).isZero();
      assertThat(b.stringAt(b.calls().get(exec.index).args()[0])).isEqualTo("/bin/sh");
    }
  }

  /**
   * Staged structs ({@link ProgramBuilder#stagedLongs}) land 8-aligned where their addresses
   * say, their values in order from the offset and every other byte zero, among strings staged
   * before and after them, and after a flush left the staging array holding older strings' bytes.
   */
  @Test
  void stagedStructsLandAlignedWithTheRestZero() {
    try (ProgramBuilder b = new ProgramBuilder()) {
      List<Long> addrs = new ArrayList<>();
      List<Step> opens = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        opens.add(b.call(Sys.OPENAT, -100L, "x".repeat(1 + i % 13), 0L, 0L).describe("open"));
        // a flush (the staging array is reused from here), leaving the end unaligned
        if (i % 50 == 10) b.alloc(5).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 7);
        addrs.add(b.stagedLongs(32, 8, i, -1L - i));
      }
      b.build();
      for (int i = 0; i < 200; i++) {
        long a = addrs.get(i);
        assertThat(a % 8).isZero();
        MemorySegment s = b.at(a, 32);
        assertThat(s.get(JAVA_LONG, 0)).as("struct %d, before the fields", i).isZero();
        assertThat(s.get(JAVA_LONG, 8)).isEqualTo(i);
        assertThat(s.get(JAVA_LONG, 16)).isEqualTo(-1L - i);
        assertThat(s.get(JAVA_LONG, 24)).as("struct %d, after the fields", i).isZero();
        assertThat(b.stringAt(b.calls().get(opens.get(i).index).args()[1])).isEqualTo("x".repeat(1 + i % 13));
      }
    }
  }

  @Test
  void aStringIsReadableBeforeBuild() {
    try (ProgramBuilder b = new ProgramBuilder()) {
      Step s = b.call(Sys.CHDIR, "/work").describe("chdir");
      assertThat(b.stringAt(b.calls().get(s.index).args()[0])).isEqualTo("/work");
      assertThat(b.cstring("direct").getString(0)).isEqualTo("direct");
    }
  }

  /**
   * A closed builder's region is kept for the next one (no fresh pages to fault in, no munmap):
   * the next builder on this thread gets that same region back, zeroed where the first wrote,
   * as a fresh mapping would be.
   */
  @Test
  void aKeptRegionComesBackZeroed() {
    long start;
    long end;
    try (ProgramBuilder b = new ProgramBuilder()) {
      MemorySegment head = b.alloc(16);
      head.fill((byte) 0x77);
      for (int i = 0; i < 50; i++) b.call(Sys.CHDIR, "/dirty/" + i).describe("chdir");
      MemorySegment s = b.alloc(4096);
      s.fill((byte) 0x5a);
      b.build();
      start = head.address();
      end = s.address() + 4096;
    }
    try (ProgramBuilder b = new ProgramBuilder()) {
      MemorySegment head = b.alloc(16);
      assertThat(head.address()).as("the region just kept").isEqualTo(start);
      MemorySegment span = MemorySegment.ofAddress(start).reinterpret(end - start);
      for (long o = 0; o + 8 <= end - start; o += 8) assertThat(span.get(JAVA_LONG, o)).as("offset " + o).isZero();
    }
  }
}
