package io.jrunc.core.security;

/**
 * A seccomp filter compiled in the parent, ready for the child's single {@code seccomp(2)} call.
 *
 * @param program     the classic BPF program: {@code struct sock_filter[]}, 8 bytes each
 * @param filterFlags the {@code SECCOMP_FILTER_FLAG_*} bits for {@code seccomp(2)} (without
 *                    {@code NEW_LISTENER}, which {@link SeccompSetup} adds when {@code usesNotify})
 * @param usesNotify  whether some rule returns {@code SCMP_ACT_NOTIFY}: the filter must then be
 *                    loaded with {@code SECCOMP_FILTER_FLAG_NEW_LISTENER} and its fd sent to
 *                    {@code listenerPath}
 * @param rules       number of rules handed to libseccomp (for tests and debug output)
 */
public record CompiledSeccomp(byte[] program, long filterFlags, boolean usesNotify, int rules) {
  /** Number of BPF instructions. */
  public int instructions() {
    return program.length / 8;
  }
}
