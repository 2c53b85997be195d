package io.jrunc.core.state;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A {@code state.json} that is not a well-formed record: not JSON, a field of the wrong type or
 * out of range, a required field missing, another container's id. Such a record is never read
 * as "creating" or "stopped" (a container would then be dropped while it still runs): every
 * command refuses it, except {@code delete --force}, which uses {@link #salvage()} to find the
 * container's processes through what could still be read.
 */
public final class MalformedRecordException extends IOException {
  private final String file;
  private final List<String> problems;
  private final ContainerRecord salvage;
  private final Set<String> readable;

  MalformedRecordException(String file, List<String> problems, ContainerRecord salvage, Set<String> readable) {
    this("state.json " + file + " is malformed: " + String.join("; ", problems), file, problems, salvage, readable);
  }

  MalformedRecordException(String message, String file, List<String> problems, ContainerRecord salvage,
      Set<String> readable) {
    super(message);
    this.file = file;
    this.problems = List.copyOf(problems);
    this.salvage = salvage;
    this.readable = Set.copyOf(readable);
  }

  /** The state file's path. */
  public String file() {
    return file;
  }

  /** Each problem, naming its field: {@code field "pid": expected an integer, found a string "abc"}. */
  public List<String> problems() {
    return problems;
  }

  /**
   * The record as far as it could be read: the directory's id, and every other field either
   * as written or, where it was unreadable or missing, null / 0 / false. Trust a field only
   * when {@link #readable(String)} says so.
   */
  public ContainerRecord salvage() {
    return salvage;
  }

  /** True when {@code field} (a state.json name, e.g. "pid", "cgroup") was present and well-formed. */
  public boolean readable(String field) {
    return readable.contains(field);
  }
}
