import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.Stdio;
import java.nio.file.Path;

/**
 * Embedding jrunc: create, start, wait for and delete a container from Java, reading its
 * output through a pipe.
 *
 *   scripts/make-bundle.sh /tmp/demo-bundle sh -c 'echo hello from $(hostname), pid $$'
 *   java --enable-native-access=ALL-UNNAMED -cp runtime-cli/target/jrunc.jar examples/RunBusybox.java /tmp/demo-bundle
 */
public class RunBusybox {
  public static void main(String[] args) throws Exception {
    ContainerRuntime runtime = ContainerRuntime.open(Path.of("/run/jrunc-example"));
    Container c = runtime.create("example-" + ProcessHandle.current().pid(),
        CreateOptions.bundle(Path.of(args[0])).withStdio(Stdio.pipes()));
    System.out.println("created " + c.id() + ", init pid " + c.pid() + ", status " + c.status().text());
    c.start();
    String output = new String(c.stdout().readAllBytes());
    int exit = c.waitFor();
    System.out.print("container said: " + output);
    System.out.println("exit status " + exit + ", status " + c.status().text());
    c.delete(false);
  }
}
