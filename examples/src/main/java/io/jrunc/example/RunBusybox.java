package io.jrunc.example;

import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerProcess;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.ExecOptions;
import io.jrunc.core.api.Stdio;
import java.nio.file.Path;
import java.util.List;

/**
 * Embedding jrunc: create a container from a bundle, exec a second process in it, start it,
 * read its output through a pipe, wait for it and delete it.
 *
 * <pre>
 *   scripts/make-bundle.sh /tmp/demo-bundle sh -c 'echo hello from $(hostname), pid $$'
 *   examples/run.sh /tmp/demo-bundle        # as root: install, build, run on the module path
 * </pre>
 *
 * Arguments: BUNDLE [ID] [ROOT] (the state directory, runc's --root: /run/jrunc-example).
 */
public class RunBusybox {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: RunBusybox BUNDLE [ID] [ROOT]");
      System.exit(2);
    }
    Path bundle = Path.of(args[0]);
    String id = args.length > 1 ? args[1] : "example-" + ProcessHandle.current().pid();
    Path root = Path.of(args.length > 2 ? args[2] : "/run/jrunc-example");

    ContainerRuntime runtime = ContainerRuntime.open(root);
    Container c = runtime.create(id, CreateOptions.bundle(bundle).withStdio(Stdio.pipes()));
    try {
      System.out.println("created " + c.id() + ", init pid " + c.pid() + ", status " + c.status().text());

      // a second process in the created container's namespaces, a child of this JVM
      var uname = runtime.savedConfig(id).process().withArgs(List.of("uname", "-n"));
      ContainerProcess p = c.exec(uname, ExecOptions.defaults().withStdio(Stdio.pipes()));
      String hostname = new String(p.stdout().readAllBytes()).strip();
      System.out.println("exec uname -n: " + hostname + ", exit " + p.waitFor());

      c.start();
      String output = new String(c.stdout().readAllBytes());
      int exit = c.waitFor();
      System.out.print("container said: " + output);
      System.out.println("exit status " + exit + ", status " + c.status().text());
    } finally {
      c.delete(true);
    }
  }
}
