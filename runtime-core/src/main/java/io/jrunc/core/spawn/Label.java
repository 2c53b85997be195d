package io.jrunc.core.spawn;

/** A position in a {@link ChildProgram} to jump to, bound with {@link ProgramBuilder#place(Label)}. */
public final class Label {
  int stepIndex = -1;
}
