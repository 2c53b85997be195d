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
        System.out.println(StatsJson.event("stats", o.id(), lc.stats(o.id())));
        return 0;
      }
      // a stream: stats every interval until the container stops, and an "oom" line as soon as
      // the kernel reports one (its notification, on the runtime's OOM thread: no poll)
      String oom = StatsJson.event("oom", o.id(), null);
      io.jrunc.core.api.OomWatch watch = null;
      try {
        watch = lc.watchOom(o.id(), id -> print(oom));
      } catch (io.jrunc.core.api.InvalidStateException e) {
        throw new CliException("container with id " + o.id() + " is not running", e); // runc's words
      } catch (io.jrunc.core.api.SetupException e) {
        // as runc: no memory cgroup to watch (rootless) is a warning, the stats go on
        io.jrunc.cli.log.JruncLogging.logger(EventsCommand.class).warn(e.getMessage());
      }
      try (Removal removal = Removal.watch(lc.root(), o.id())) {
        while (true) {
          io.jrunc.core.api.stats.CgroupStats st;
          try {
            st = lc.stats(o.id());
          } catch (io.jrunc.core.api.InvalidStateException | io.jrunc.core.api.ContainerNotFoundException e) {
            return 0;
          }
          print(StatsJson.event("stats", o.id(), st));
          if (removal.awaitFor(o.interval())) return 0;
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

  /**
   * The stream ends when the container is deleted, as runc's does (its OOM notification closes
   * with the cgroup), not at the next stats tick up to an interval later: the state directory
   * is watched through inotify (the JDK's WatchService), where delete's rename of the
   * container's directory shows as the id's removal. Where it cannot be watched, the tick.
   */
  private record Removal(java.nio.file.WatchService service, String id) implements AutoCloseable {
    static Removal watch(java.nio.file.Path root, String id) {
      try {
        java.nio.file.WatchService ws = root.getFileSystem().newWatchService();
        try {
          root.register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_DELETE);
          return new Removal(ws, id);
        } catch (java.io.IOException | RuntimeException e) {
          ws.close();
        }
      } catch (java.io.IOException | RuntimeException e) {
        // below: none
      }
      return new Removal(null, id);
    }

    /** Waits up to {@code d}; true when the container's directory went meanwhile. */
    boolean awaitFor(Duration d) throws InterruptedException {
      if (service == null) {
        Thread.sleep(d.toMillis());
        return false;
      }
      long end = System.nanoTime() + d.toNanos();
      for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
        java.nio.file.WatchKey key = service.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (key == null) return false;
        for (java.nio.file.WatchEvent<?> e : key.pollEvents()) {
          if (id.equals(String.valueOf(e.context()))) return true;
        }
        key.reset();
      }
      return false;
    }

    @Override
    public void close() {
      try {
        if (service != null) service.close();
      } catch (java.io.IOException e) {
        // nothing to undo
      }
    }
  }

  /** One line per event, whole: the OOM thread and the stats loop both print. */
  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
