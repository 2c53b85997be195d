package io.jrunc.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * ioprio_set(2) input. The JSON field {@code class} is a Java keyword, hence {@code ioClass}.
 *
 * @param ioClass  IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE
 * @param priority 0 (highest) to 7
 */
public record LinuxIOPriority(@JsonProperty("class") String ioClass, Integer priority) {
}
