package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jrunc.core.spawn.ChildProgram;
import java.lang.foreign.MemorySegment;

/** Reads a built {@link ChildProgram} back, per its documented layout (header: first step at 16; 128-byte steps). */
final class Programs {
  private Programs() {}

  private static long field(ChildProgram p, int step, long offset) {
    long first = p.memory().get(JAVA_LONG, 16) - p.memory().address();
    return p.memory().get(JAVA_LONG, first + 128L * step + offset);
  }

  static long nr(ChildProgram p, int step) {
    return field(p, step, 0);
  }

  static long arg(ChildProgram p, int step, int i) {
    return field(p, step, 8 + 8L * i);
  }

  static long okErrno(ChildProgram p, int step) {
    return field(p, step, 80);
  }

  /** The memory an argument points at. */
  static MemorySegment at(ChildProgram p, int step, int i, long size) {
    return MemorySegment.ofAddress(arg(p, step, i)).reinterpret(size);
  }
}
