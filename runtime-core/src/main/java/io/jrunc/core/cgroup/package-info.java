/**
 * Resource control: the container's cgroup on cgroup v1, hybrid and v2 hosts, with the
 * cgroupfs or the systemd driver.
 *
 * <h2>Use from the lifecycle</h2>
 * <pre>{@code
 * // create: nothing is touched until m.create()
 * // the spec's device rules + runc's default allow list + one allow per linux.devices entry
 * LinuxResources res = DeviceRule.withRuncDevices(spec.linux().resources());
 * CgroupManager m = Cgroups.create(new CgroupConfig(id, spec.linux().cgroupsPath(), res, systemdCgroup, rootless));
 * m.create();                                   // dirs + limits + device filter; rolls back on failure
 * Optional<Path> into = m.cloneIntoCgroupPath(); // v2 cgroupfs: open with CgroupIo.openDirectory, pass to clone3
 * // ... spawn; if `into` was empty: m.addProcess(childPid) while the child waits before execve
 * state.put("cgroup", m.state());               // Map<String,String>, e.g. in state.json
 *
 * // a later CLI process
 * CgroupManager m = Cgroups.reopen(savedMap);
 * m.freeze(); m.thaw(); m.update(res); m.stats(); m.pids(); m.kill(sig); m.destroy();
 * }</pre>
 *
 * <h2>Layout</h2>
 * {@link io.jrunc.core.cgroup.CgroupMounts} detects the layout from mountinfo;
 * {@link io.jrunc.core.cgroup.CgroupPaths} resolves cgroupsPath the way runc does;
 * {@link io.jrunc.core.cgroup.ResourceWrites} is the pure spec-to-files translation;
 * {@link io.jrunc.core.cgroup.DeviceFilter} compiles device rules to eBPF for v2.
 */
package io.jrunc.core.cgroup;
