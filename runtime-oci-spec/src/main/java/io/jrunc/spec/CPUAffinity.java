package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * CPU affinity for exec'd processes. The JSON field {@code final} is a Java keyword, hence
 * {@code finalCpus}.
 *
 * @param initial   CPU list before joining the container cgroup, e.g. "0-3,7"
 * @param finalCpus CPU list after joining it
 */
public record CPUAffinity(String initial, @JsonProperty("final") String finalCpus) {
}
