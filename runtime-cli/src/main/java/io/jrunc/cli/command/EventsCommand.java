package io.jrunc.cli.command;

import io.jrunc.cli.CliException;
import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import java.time.Duration;
import java.util.List;

/**
 * {@code jrunc events [--stats] [--interval 5s] <container-id>}: one stats object, or a stream
 * of {@code {"type":"stats"|"oom",...}} lines.
 */
public final class EventsCommand implements Command {
  static final List<Flag> FLAGS =
      List.of(
          Flag.duration("interval", "set the stats collection interval").withDefault("5s"),
          Flag.bool("stats", "display the container's stats then exit"));

  /**
   * Typed options.
   *
   * @param id the container id
   * @param interval {@code --interval}, 5 s by default, positive
   * @param stats {@code --stats}
   */
  public record Options(String id, Duration interval, boolean stats) {
    public static Options of(ParsedArgs a) throws CliException {
      a.requireExactly("events", 1);
      Duration d = a.duration("interval");
      if (d.isNegative() || d.isZero()) {
        throw new UsageException("duration interval must be greater than 0");
      }
      return new Options(OptionValues.id(a), d, a.bool("stats"));
    }
  }

  @Override
  public String name() {
    return "events";
  }

  @Override
  public String summary() {
    return "display container events such as OOM notifications, cpu, memory, and IO usage"
        + " statistics";
  }

  @Override
  public String argsUsage() {
    return "<container-id>";
  }

  @Override
  public List<Flag> flags() {
    return FLAGS;
  }

  @Override
  public int run(ParsedArgs args, GlobalOptions global) throws CliException {
    return execute(Options.of(args), global);
  }

  int execute(Options o, GlobalOptions global) throws CliException {
    io.jrunc.core.api.ContainerRuntime lc = Core.runtime(global);
    try {
      if (o.stats()) {
        System.out.println(event("stats", o.id(), lc.stats(o.id())));
        return 0;
      }
      // a stream: stats every interval until the container stops, and an "oom" line as soon as
      // the kernel reports one (its notification, on the runtime's OOM thread: no poll)
      String oom = event("oom", o.id(), null);
      io.jrunc.core.api.OomWatch watch = null;
      try {
        watch = lc.watchOom(o.id(), id -> print(oom));
      } catch (io.jrunc.core.api.InvalidStateException e) {
        return 0; // stopped: the stream had nothing to say before either
      } catch (io.jrunc.core.api.SetupException e) {
        // as runc: no memory cgroup to watch (rootless) is a warning, the stats go on
        io.jrunc.cli.log.JruncLogging.logger(EventsCommand.class).warn(e.getMessage());
      }
      try {
        while (true) {
          io.jrunc.core.api.stats.CgroupStats st;
          try {
            st = lc.stats(o.id());
          } catch (io.jrunc.core.api.InvalidStateException | io.jrunc.core.api.ContainerNotFoundException e) {
            return 0;
          }
          print(event("stats", o.id(), st));
          Thread.sleep(o.interval().toMillis());
        }
      } finally {
        if (watch != null) watch.close();
      }
    } catch (io.jrunc.core.api.ContainerException e) {
      throw Core.fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** One line per event, whole: the OOM thread and the stats loop both print. */
  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }

  /** runc's event object, in runc's field order. */
  record Event(String type, String id, Object data) {}

  /** runc's event object: {"type":"stats"|"oom","id":...,"data":...}. */
  static String event(String type, String id, Object data) throws CliException {
    try {
      return io.jrunc.spec.Json.mapper().writeValueAsString(new Event(type, id, data));
    } catch (java.io.IOException e) {
      throw new CliException("encode event: " + e.getMessage(), e);
    }
  }
}
