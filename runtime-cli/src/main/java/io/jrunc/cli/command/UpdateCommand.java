package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import java.util.List;

/**
 * {@code jrunc update [options] <container-id>}: changes the resource limits of a container,
 * from a LinuxResources JSON ({@code -r FILE}, {@code -r -} for stdin) or per-field flags.
 * As in runc, when {@code --resources} is given the per-field flags are ignored.
 */
public final class UpdateCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.string(
              "resources",
              "path to the file containing the resources to update or '-' to read from the"
                  + " standard input",
              "r"),
          Flag.string("blkio-weight", "Specifies per cgroup weight, range is from 10 to 1000"),
          Flag.string(
              "cpu-period",
              "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
          Flag.string(
              "cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
          Flag.string(
              "cpu-burst",
              "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally"
                  + " for burst a given period"),
          Flag.string("cpu-share", "CPU shares (relative weight vs. other containers)"),
          Flag.string(
              "cpu-rt-period",
              "CPU realtime period to be used for hardcapping (in usecs). 0 to use system"
                  + " default"),
          Flag.string(
              "cpu-rt-runtime",
              "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
          Flag.string("cpu-idle", "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"),
          Flag.string("cpuset-cpus", "CPU(s) to use"),
          Flag.string("cpuset-mems", "Memory node(s) to use"),
          Flag.string("memory", "Memory limit (in bytes)"),
          Flag.string("memory-reservation", "Memory reservation or soft_limit (in bytes)"),
          Flag.string(
              "memory-swap",
              "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
          Flag.string("pids-limit", "Maximum number of pids allowed in the container"),
          Flag.string("l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema"),
          Flag.string("mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema"),
          // runc keeps it hidden: kernel memory limits are gone from cgroup v2 and deprecated in v1
          Flag.string("kernel-memory", "Kernel memory limit (in bytes)").asHidden());

  /**
   * Typed options: null means "not given, leave unchanged".
   *
   * @param id the container id
   * @param resources {@code -r}: a path, {@code -} for stdin, or null
   * @param blkioWeight 10..1000
   * @param cpuPeriod usecs (uint64)
   * @param cpuQuota usecs (int64)
   * @param cpuBurst usecs (uint64)
   * @param cpuShares shares (uint64)
   * @param cpuRtPeriod usecs (uint64)
   * @param cpuRtRuntime usecs (int64)
   * @param cpuIdle 0 or 1 (int64)
   * @param cpusetCpus as given
   * @param cpusetMems as given
   * @param memory bytes, -1 unlimited
   * @param memoryReservation bytes, -1 unlimited
   * @param memorySwap bytes, -1 unlimited
   * @param pidsLimit int64
   * @param l3CacheSchema as given
   * @param memBwSchema as given
   * @param kernelMemory bytes (hidden flag; the wiring must reject it if set)
   */
  public record Options(
      String id,
      String resources,
      Integer blkioWeight,
      Long cpuPeriod,
      Long cpuQuota,
      Long cpuBurst,
      Long cpuShares,
      Long cpuRtPeriod,
      Long cpuRtRuntime,
      Long cpuIdle,
      String cpusetCpus,
      String cpusetMems,
      Long memory,
      Long memoryReservation,
      Long memorySwap,
      Long pidsLimit,
      String l3CacheSchema,
      String memBwSchema,
      Long kernelMemory) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("update", 1);
      Long weight = OptionValues.uint64(a, "blkio-weight");
      if (weight != null && (weight < 0 || weight > 0xffff)) {
        throw new io.jrunc.cli.args.UsageException(
            "invalid value for blkio-weight: " + weight + " (out of range)");
      }
      return new Options(
          OptionValues.id(a),
          a.string("resources"),
          weight == null ? null : weight.intValue(),
          OptionValues.uint64(a, "cpu-period"),
          OptionValues.int64(a, "cpu-quota"),
          OptionValues.uint64(a, "cpu-burst"),
          OptionValues.uint64(a, "cpu-share"),
          OptionValues.uint64(a, "cpu-rt-period"),
          OptionValues.int64(a, "cpu-rt-runtime"),
          OptionValues.int64(a, "cpu-idle"),
          a.string("cpuset-cpus"),
          a.string("cpuset-mems"),
          OptionValues.bytes(a, "memory"),
          OptionValues.bytes(a, "memory-reservation"),
          OptionValues.bytes(a, "memory-swap"),
          OptionValues.int64(a, "pids-limit"),
          a.string("l3-cache-schema"),
          a.string("mem-bw-schema"),
          OptionValues.bytes(a, "kernel-memory"));
    }
  }

  @Override
  public String name() {
    return "update";
  }

  @Override
  public String summary() {
    return "update container resource constraints";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public String description() {
    return "The update command changes the resource constraints of a running container. With"
        + " --resources (a LinuxResources JSON file, or '-' for the standard input) all other"
        + " options are ignored.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /** TODO(lead): wire to runtime-core: merge into LinuxResources, apply to the cgroup. */
  int execute(Options o, GlobalOptions global) throws CliException {
    throw CliException.notImplemented(name());
  }
}
