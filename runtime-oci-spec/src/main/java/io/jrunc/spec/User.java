package io.jrunc.spec;

import java.util.List;

/** The process user: uid/gid/umask/additionalGids are uint32; username is Windows-only. */
public record User(Long uid, Long gid, Long umask, List<Long> additionalGids, String username) {
}
