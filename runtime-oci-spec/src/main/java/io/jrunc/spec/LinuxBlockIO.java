package io.jrunc.spec;

import java.util.List;

/** blkio / io controller settings (weight and leafWeight are uint16). */
public record LinuxBlockIO(
        Long weight,
        Long leafWeight,
        List<LinuxWeightDevice> weightDevice,
        List<LinuxThrottleDevice> throttleReadBpsDevice,
        List<LinuxThrottleDevice> throttleWriteBpsDevice,
        List<LinuxThrottleDevice> throttleReadIOPSDevice,
        List<LinuxThrottleDevice> throttleWriteIOPSDevice) {
}
