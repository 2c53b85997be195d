package io.jrunc.spec;

import java.util.List;
import java.util.Map;

/**
 * The container configuration, {@code config.json} (runtime-spec config.md), Linux platform.
 * Mirrors specs-go {@code Spec}; absent fields are {@code null}. Non-Linux platform sections
 * (windows, solaris, vm, zos) are not modelled and are ignored on read.
 */
public record Spec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {

    /** A copy with {@code ociVersion} replaced. */
    public Spec withOciVersion(String ociVersion) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code process} replaced. */
    public Spec withProcess(Process process) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code root} replaced. */
    public Spec withRoot(Root root) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code hostname} replaced. */
    public Spec withHostname(String hostname) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code domainname} replaced. */
    public Spec withDomainname(String domainname) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code mounts} replaced. */
    public Spec withMounts(List<Mount> mounts) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code hooks} replaced. */
    public Spec withHooks(Hooks hooks) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code annotations} replaced. */
    public Spec withAnnotations(Map<String, String> annotations) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    /** A copy with {@code linux} replaced. */
    public Spec withLinux(Linux linux) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, linux);
    }
}
