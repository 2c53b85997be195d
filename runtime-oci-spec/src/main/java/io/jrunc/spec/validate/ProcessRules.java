package io.jrunc.spec.validate;

import io.jrunc.spec.Box;
import io.jrunc.spec.CPUAffinity;
import io.jrunc.spec.KnownValues;
import io.jrunc.spec.LinuxCapabilities;
import io.jrunc.spec.LinuxIOPriority;
import io.jrunc.spec.POSIXRlimit;
import io.jrunc.spec.Process;
import io.jrunc.spec.Scheduler;
import io.jrunc.spec.User;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * config.md "Process" (and an exec's process.json): args, env, cwd, user, capabilities,
 * rlimits, console size, and the attributes the runtime encodes as one system call each
 * (scheduler, I/O priority, CPU affinity). Pointers start at {@code sc.proc}: "/process" in
 * config.json, "" in a process document.
 */
final class ProcessRules {
    private ProcessRules() {}

    static void process(SemanticChecks sc, Process p) {
        String ptr = sc.proc;
        Box box = p.consoleSize();
        if (box != null) {
            sc.required(ptr + "/consoleSize/height", box.height());
            sc.required(ptr + "/consoleSize/width", box.width());
            sc.uint32(ptr + "/consoleSize/height", box.height());
            sc.uint32(ptr + "/consoleSize/width", box.width());
            if (!Boolean.TRUE.equals(p.terminal())) {
                // config.md: runtimes MUST ignore consoleSize if terminal is false or unset.
                sc.warn(ptr + "/consoleSize", "is ignored because terminal is not true");
            }
        }
        user(sc, p.user());
        if (p.args() == null || p.args().isEmpty()) {
            if (sc.options.requireProcess()) {
                // config.md: at least one entry is REQUIRED (non-Windows).
                sc.error(ptr + "/args", p.args() == null ? "is required" : "must have at least one entry");
            }
        } else {
            sc.cStrings(ptr + "/args", p.args());
            if (p.args().get(0) != null && p.args().get(0).isEmpty()) {
                sc.error(ptr + "/args/0", "the program must not be empty");
            }
        }
        env(sc, ptr + "/env", p.env());
        // config.md: cwd is REQUIRED and MUST be an absolute path.
        sc.absolutePath(ptr + "/cwd", p.cwd(), true);
        capabilities(sc, p.capabilities());
        rlimits(sc, p.rlimits());
        // proc(5): oom_score_adj ranges from -1000 to 1000.
        sc.range(ptr + "/oomScoreAdj", p.oomScoreAdj(), -1000, 1000);
        processAttributes(sc, p);
    }

    /**
     * The attributes the runtime turns into one system call each (scheduler, I/O priority, CPU
     * affinity).
     */
    static void processAttributes(SemanticChecks sc, Process p) {
        String ptr = sc.proc;
        scheduler(sc, p.scheduler());
        ioPriority(sc, p.ioPriority());
        CPUAffinity aff = p.execCPUAffinity();
        if (aff != null) {
            sc.listFormat(ptr + "/execCPUAffinity/initial", aff.initial(), true);
            sc.listFormat(ptr + "/execCPUAffinity/final", aff.finalCpus(), true);
            sc.listBound(ptr + "/execCPUAffinity/initial", aff.initial(), 8192); // the mask the runtime passes
            sc.listBound(ptr + "/execCPUAffinity/final", aff.finalCpus(), 8192);
        }
    }


    private static void user(SemanticChecks sc, User u) {
        String ptr = sc.proc + "/user";
        if (u == null) {
            sc.error(ptr, "is required");
            return;
        }
        // config.md: uid and gid are REQUIRED on POSIX platforms. runc takes a missing one as 0
        // (its capabilities.bats runs a user without gid): so does jrunc, with a warning.
        if (u.uid() == null) sc.warn(ptr + "/uid", "missing: 0 is used, as runc does");
        if (u.gid() == null) sc.warn(ptr + "/gid", "missing: 0 is used, as runc does");
        // ids up to 2^31-1, as runc ("uids and gids must be in range 0-2147483647"): 4294967295
        // is (uid_t)-1, which setresuid(2) and setresgid(2) take as "leave it": the process would
        // keep the runtime's root
        sc.range(ptr + "/uid", u.uid(), 0, MAX_ID);
        sc.range(ptr + "/gid", u.gid(), 0, MAX_ID);
        sc.uint32(ptr + "/umask", u.umask());
        if (u.additionalGids() != null) {
            for (int i = 0; i < u.additionalGids().size(); i++) {
                Long g = u.additionalGids().get(i);
                if (g == null) {
                    sc.error(ptr + "/additionalGids/" + i, "must be a number, not null");
                } else {
                    sc.range(ptr + "/additionalGids/" + i, g, 0, MAX_ID);
                }
            }
        }
    }

    /** The largest uid or gid a process may be given. */
    static final long MAX_ID = Integer.MAX_VALUE;

    private static void env(SemanticChecks sc, String ptr, List<String> env) {
        if (env == null) {
            return;
        }
        for (int i = 0; i < env.size(); i++) {
            String kv = env.get(i);
            String p = ptr + "/" + i;
            if (kv == null) {
                sc.error(p, "must be a string, not null");
                continue;
            }
            if (!sc.noNul(p, kv)) {
                continue;
            }
            int eq = kv.indexOf('=');
            // environ(7) entries are NAME=value; runc rejects anything else.
            if (eq < 0) {
                sc.error(p, "invalid environment variable " + SemanticChecks.quote(kv) + " (expected NAME=value)");
            } else if (eq == 0) {
                sc.error(p, "invalid environment variable " + SemanticChecks.quote(kv) + " (empty name)");
            }
        }
    }

    private static void capabilities(SemanticChecks sc, LinuxCapabilities caps) {
        if (caps == null) {
            return;
        }
        String ptr = sc.proc + "/capabilities";
        // config.md (since runtime-spec 1.1): a value that cannot be mapped to a kernel interface
        // MUST be logged as a warning, and runtimes SHOULD NOT fail on it (1.0 said: an error).
        // runc and crun run such a container without the unknown names (crun's test suite,
        // "unknown-caps"), and so does Capabilities.Sets, which logs the warning.
        sc.knownOrWarn(ptr + "/bounding", caps.bounding(), KnownValues.CAPABILITIES, "capability");
        sc.knownOrWarn(ptr + "/effective", caps.effective(), KnownValues.CAPABILITIES, "capability");
        sc.knownOrWarn(ptr + "/inheritable", caps.inheritable(), KnownValues.CAPABILITIES, "capability");
        sc.knownOrWarn(ptr + "/permitted", caps.permitted(), KnownValues.CAPABILITIES, "capability");
        sc.knownOrWarn(ptr + "/ambient", caps.ambient(), KnownValues.CAPABILITIES, "capability");
    }

    private static void rlimits(SemanticChecks sc, List<POSIXRlimit> rlimits) {
        if (rlimits == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rlimits.size(); i++) {
            String ptr = sc.proc + "/rlimits/" + i;
            POSIXRlimit r = rlimits.get(i);
            if (r == null) {
                sc.error(ptr, "must be an object, not null");
                continue;
            }
            if (sc.required(ptr + "/type", r.type())) {
                if (!KnownValues.RLIMITS.contains(r.type())) {
                    sc.error(ptr + "/type", "unknown rlimit type " + SemanticChecks.quote(r.type()));
                } else if (!seen.add(r.type())) {
                    // config.md: duplicated entries with the same type MUST generate an error.
                    sc.error(ptr + "/type", "duplicate rlimit type " + SemanticChecks.quote(r.type()));
                }
            }
            sc.required(ptr + "/hard", r.hard());
            sc.required(ptr + "/soft", r.soft());
            if (r.hard() != null && r.soft() != null && Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                // setrlimit(2): EINVAL when soft exceeds hard.
                sc.error(ptr, "soft limit " + Long.toUnsignedString(r.soft()) + " exceeds hard limit "
                        + Long.toUnsignedString(r.hard()));
            }
        }
    }

    private static void scheduler(SemanticChecks sc, Scheduler s) {
        if (s == null) {
            return;
        }
        String ptr = sc.proc + "/scheduler";
        if (sc.required(ptr + "/policy", s.policy())) {
            sc.oneOf(ptr + "/policy", s.policy(), KnownValues.SCHEDULER_POLICIES, "scheduler policy");
        }
        sc.oneOfAll(ptr + "/flags", s.flags(), KnownValues.SCHEDULER_FLAGS, "scheduler flag");
        // sched(7): nice ranges -20..19; static priority 1..99 for SCHED_FIFO/SCHED_RR, 0 otherwise.
        sc.range(ptr + "/nice", s.nice(), -20, 19);
        boolean realtime = "SCHED_FIFO".equals(s.policy()) || "SCHED_RR".equals(s.policy());
        if (s.priority() != null && s.priority() != 0) {
            if (!realtime) {
                sc.error(ptr + "/priority", "is only allowed with SCHED_FIFO or SCHED_RR");
            } else {
                sc.range(ptr + "/priority", s.priority(), 1, 99);
            }
        }
        boolean deadline = "SCHED_DEADLINE".equals(s.policy());
        if (!deadline) {
            for (String f : List.of("runtime", "deadline", "period")) {
                Long v = switch (f) {
                    case "runtime" -> s.runtime();
                    case "deadline" -> s.deadline();
                    default -> s.period();
                };
                if (v != null && v != 0) {
                    sc.error(ptr + "/" + f, "is only allowed with SCHED_DEADLINE");
                }
            }
        } else if (s.runtime() != null && s.deadline() != null && s.deadline() != 0
                && Long.compareUnsigned(s.runtime(), s.deadline()) > 0) {
            // sched_setattr(2): EINVAL unless runtime <= deadline <= period.
            sc.error(ptr + "/runtime", "must not exceed deadline");
        } else if (s.deadline() != null && s.period() != null && s.period() != 0
                && Long.compareUnsigned(s.deadline(), s.period()) > 0) {
            sc.error(ptr + "/deadline", "must not exceed period");
        }
    }

    private static void ioPriority(SemanticChecks sc, LinuxIOPriority io) {
        if (io == null) {
            return;
        }
        String ptr = sc.proc + "/ioPriority";
        if (sc.required(ptr + "/class", io.ioClass())) {
            sc.oneOf(ptr + "/class", io.ioClass(), KnownValues.IO_PRIORITY_CLASSES, "I/O priority class");
        }
        // config.md: priority from 0 (highest) to 7 (lowest).
        if (sc.required(ptr + "/priority", io.priority())) {
            sc.range(ptr + "/priority", io.priority(), 0, 7);
        }
    }

    // ---- mounts and hooks ------------------------------------------------------------------
}
