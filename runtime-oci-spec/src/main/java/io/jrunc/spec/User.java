package io.jrunc.spec;

import java.util.List;

/** The process user: uid/gid/umask/additionalGids are uint32; username is Windows-only. */
public record User(Long uid, Long gid, Long umask, List<Long> additionalGids, String username) {

    /** A copy with {@code uid} replaced. */
    public User withUid(Long uid) {
        return new User(uid, gid, umask, additionalGids, username);
    }

    /** A copy with {@code gid} replaced. */
    public User withGid(Long gid) {
        return new User(uid, gid, umask, additionalGids, username);
    }

    /** A copy with {@code umask} replaced. */
    public User withUmask(Long umask) {
        return new User(uid, gid, umask, additionalGids, username);
    }

    /** A copy with {@code additionalGids} replaced. */
    public User withAdditionalGids(List<Long> additionalGids) {
        return new User(uid, gid, umask, additionalGids, username);
    }

    /** A copy with {@code username} replaced. */
    public User withUsername(String username) {
        return new User(uid, gid, umask, additionalGids, username);
    }
}
