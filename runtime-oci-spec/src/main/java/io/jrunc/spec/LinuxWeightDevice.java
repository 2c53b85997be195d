package io.jrunc.spec;

/** blkio per-device weight (weight/leafWeight are uint16). */
public record LinuxWeightDevice(Long major, Long minor, Long weight, Long leafWeight) {
}
