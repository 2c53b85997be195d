/**
 * The jrunc container runtime. Embedders see only {@code io.jrunc.core.api} (the runtime, a
 * container handle, a process handle, options and typed exceptions),
 * {@code io.jrunc.core.api.stats} (the cgroup statistics that {@code stats()} returns),
 * {@code io.jrunc.core.api.host} (what a front end or a shim runs in its own process: rootfs
 * mounts, a child reaper, pipes, the terminal's other end, bounded file reads, host probes), plus
 * the spec records of {@code io.jrunc.spec}, which the API's signatures use. Every other
 * package (the spawn engine, mounts, cgroup managers, the state store, FFM bindings in
 * {@code io.jrunc.core.sys}) is internal and not exported.
 *
 * <p>The runtime calls libc through the Foreign Function and Memory API: on the module path
 * run it with {@code --enable-native-access=io.jrunc.core} (on the class path,
 * {@code --enable-native-access=ALL-UNNAMED}), or the JDK warns on the first native call and a
 * future JDK refuses it.
 */
module io.jrunc.core {
  requires transitive io.jrunc.spec;
  requires org.slf4j;
  // state/RecordCodec writes the state file with the streaming API
  requires com.fasterxml.jackson.core;
  // sun.misc.Signal: SIGWINCH for the terminal relay
  requires jdk.unsupported;

  exports io.jrunc.core.api;
  exports io.jrunc.core.api.stats;
  exports io.jrunc.core.api.host;

  // CgroupStats is serialised (runc's events --stats JSON) by the databind mapper
  opens io.jrunc.core.api.stats to com.fasterxml.jackson.databind;
}
