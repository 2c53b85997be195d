package io.jrunc.spec;

/** A hugetlb limit: pageSize like "2MB", limit in bytes (uint64). */
public record LinuxHugepageLimit(String pageSize, @Unsigned64 Long limit) {
}
