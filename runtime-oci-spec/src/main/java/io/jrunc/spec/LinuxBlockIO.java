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

    /** A copy with {@code weight} replaced. */
    public LinuxBlockIO withWeight(Long weight) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code leafWeight} replaced. */
    public LinuxBlockIO withLeafWeight(Long leafWeight) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code weightDevice} replaced. */
    public LinuxBlockIO withWeightDevice(List<LinuxWeightDevice> weightDevice) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code throttleReadBpsDevice} replaced. */
    public LinuxBlockIO withThrottleReadBpsDevice(List<LinuxThrottleDevice> throttleReadBpsDevice) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code throttleWriteBpsDevice} replaced. */
    public LinuxBlockIO withThrottleWriteBpsDevice(List<LinuxThrottleDevice> throttleWriteBpsDevice) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code throttleReadIOPSDevice} replaced. */
    public LinuxBlockIO withThrottleReadIOPSDevice(List<LinuxThrottleDevice> throttleReadIOPSDevice) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }

    /** A copy with {@code throttleWriteIOPSDevice} replaced. */
    public LinuxBlockIO withThrottleWriteIOPSDevice(List<LinuxThrottleDevice> throttleWriteIOPSDevice) {
        return new LinuxBlockIO(weight, leafWeight, weightDevice, throttleReadBpsDevice, throttleWriteBpsDevice, throttleReadIOPSDevice, throttleWriteIOPSDevice);
    }
}
