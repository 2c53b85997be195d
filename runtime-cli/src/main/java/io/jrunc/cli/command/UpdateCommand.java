package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxBlockIO;
import io.jrunc.spec.LinuxCPU;
import io.jrunc.spec.LinuxMemory;
import io.jrunc.spec.LinuxPids;
import io.jrunc.spec.LinuxResources;
import java.io.InputStream;
import java.util.List;

/**
 * {@code jrunc update [options] <container-id>}: changes the resource limits of a container,
 * from a LinuxResources JSON ({@code -r FILE}, {@code -r -} for stdin) or per-field flags.
 * Unlike runc, per-field flags next to {@code --resources} are an error, not ignored.
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
    return "The update command changes the resource constraints of a running container, given"
        + " either as --resources (a LinuxResources JSON file, or '-' for the standard input) or"
        + " as the per-field options below, not both.";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  /**
   * What to change: the resources (only the given fields set, the rest null = unchanged) and
   * the Intel RDT schemata, which live outside LinuxResources.
   */
  public record Request(LinuxResources resources, String l3CacheSchema, String memBwSchema) {}

  /**
   * Builds the update from {@code -r FILE|-} (a LinuxResources JSON, {@code -} = {@code stdin})
   * or from the per-field flags. runc silently ignores per-field flags next to {@code -r}; here
   * that is an error, as is {@code --kernel-memory} (kernel memory limits are gone from cgroup
   * v2 and deprecated in v1; nothing would apply it).
   */
  public static Request request(Options o, InputStream stdin) throws CliException {
    if (o.kernelMemory() != null) {
      throw new UsageException("--kernel-memory is not supported: kernel memory limits are deprecated (cgroup v1) or gone (cgroup v2)");
    }
    if (o.resources() != null) {
      if (hasFieldFlags(o)) {
        throw new UsageException(
            "--resources cannot be combined with per-field options (e.g. --memory): put every"
                + " value in the resources JSON");
      }
      String source = o.resources().equals("-") ? "standard input" : o.resources();
      LinuxResources r;
      try {
        byte[] json =
            o.resources().equals("-")
                ? io.jrunc.core.api.host.LimitedFiles.readJson(stdin, "update --resources", source)
                : io.jrunc.core.api.host.LimitedFiles.readJsonArgument(
                    java.nio.file.Path.of(o.resources()), "update --resources");
        r = Json.read(json, LinuxResources.class);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CliException("open " + source + ": no such file or directory (ENOENT)");
      } catch (io.jrunc.core.api.host.LimitedFiles.RefusedException e) {
        throw new CliException(e.getMessage(), e);
      } catch (java.io.IOException e) {
        throw new CliException("decode resources from " + source + ": " + e.getMessage(), e);
      }
      if (r == null) {
        throw new CliException("decode resources from " + source + ": empty document");
      }
      return new Request(r, o.l3CacheSchema(), o.memBwSchema());
    }
    LinuxMemory memory = null;
    if (o.memory() != null || o.memoryReservation() != null || o.memorySwap() != null) {
      memory =
          new LinuxMemory(
              o.memory(), o.memoryReservation(), o.memorySwap(), null, null, null, null, null,
              null);
    }
    LinuxCPU cpu = null;
    if (o.cpuShares() != null || o.cpuQuota() != null || o.cpuBurst() != null
        || o.cpuPeriod() != null || o.cpuRtRuntime() != null || o.cpuRtPeriod() != null
        || o.cpusetCpus() != null || o.cpusetMems() != null || o.cpuIdle() != null) {
      cpu =
          new LinuxCPU(
              o.cpuShares(), o.cpuQuota(), o.cpuBurst(), o.cpuPeriod(), o.cpuRtRuntime(),
              o.cpuRtPeriod(), o.cpusetCpus(), o.cpusetMems(), o.cpuIdle());
    }
    LinuxPids pids = o.pidsLimit() == null ? null : new LinuxPids(o.pidsLimit());
    LinuxBlockIO blkio =
        o.blkioWeight() == null
            ? null
            : new LinuxBlockIO(o.blkioWeight().longValue(), null, null, null, null, null, null);
    return new Request(
        new LinuxResources(null, memory, cpu, pids, blkio, null, null, null, null),
        o.l3CacheSchema(),
        o.memBwSchema());
  }

  private static boolean hasFieldFlags(Options o) {
    return o.blkioWeight() != null || o.cpuPeriod() != null || o.cpuQuota() != null
        || o.cpuBurst() != null || o.cpuShares() != null || o.cpuRtPeriod() != null
        || o.cpuRtRuntime() != null || o.cpuIdle() != null || o.cpusetCpus() != null
        || o.cpusetMems() != null || o.memory() != null || o.memoryReservation() != null
        || o.memorySwap() != null || o.pidsLimit() != null;
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    Request r = request(o, System.in);
    if (r.l3CacheSchema() != null || r.memBwSchema() != null) {
      throw new CliException("Intel RDT is not supported: --l3-cache-schema and --mem-bw-schema cannot be applied");
    }
    try {
      Core.runtime(global).update(o.id(), r.resources());
      return 0;
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    }
  }
}
