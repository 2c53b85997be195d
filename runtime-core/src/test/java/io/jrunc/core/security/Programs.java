package io.jrunc.core.security;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jrunc.core.spawn.ChildProgram;
import java.lang.foreign.MemorySegment;

/** Reads a built {@link ChildProgram} back, per its documented layout (64-byte header, 128-byte steps). */
final class Programs {
  private Programs() {}

  static long nr(ChildProgram p, int step) {
    return p.memory().get(JAVA_LONG, 64 + 128L * step);
  }

  static long arg(ChildProgram p, int step, int i) {
    return p.memory().get(JAVA_LONG, 64 + 128L * step + 8 + 8L * i);
  }

  static long okErrno(ChildProgram p, int step) {
    return p.memory().get(JAVA_LONG, 64 + 128L * step + 80);
  }

  /** The memory an argument points at. */
  static MemorySegment at(ChildProgram p, int step, int i, long size) {
    return MemorySegment.ofAddress(arg(p, step, i)).reinterpret(size);
  }
}
