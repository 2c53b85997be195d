package io.jrunc.spec;

/** rdma controller limits for one device (uint32). */
public record LinuxRdma(Long hcaHandles, Long hcaObjects) {
}
