/**
 * The floor of a CLI call in Java: a JVM started with bin/jrunc's flags and an AOT cache
 * trained on this very program, printing one line. scripts/bench.sh compiles it, trains its
 * cache and times it beside jrunc's commands: what a command costs above this is jrunc's own.
 */
public class Hello {
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
