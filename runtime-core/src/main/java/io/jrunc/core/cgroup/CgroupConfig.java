package io.jrunc.core.cgroup;

import io.jrunc.spec.LinuxResources;

/**
 * What a container asks of its cgroup.
 *
 * @param id the container id (names the cgroup when {@code cgroupsPath} is absent)
 * @param cgroupsPath {@code linux.cgroupsPath}: a path (cgroupfs) or {@code slice:prefix:name} (systemd); may be null
 * @param resources {@code linux.resources} (may be null); pass the device rules runc would
 *     enforce via {@link DeviceRule#withRuncDefaults} in {@code resources.devices}
 * @param systemd {@code --systemd-cgroup}
 * @param rootless running without root: the default systemd slice is user.slice (on the user's bus)
 */
public record CgroupConfig(String id, String cgroupsPath, LinuxResources resources, boolean systemd, boolean rootless) {}
