package io.jrunc.spec.validate;

import java.util.regex.Pattern;

/**
 * Rules of {@code linux.resources} (config-linux.md "Control groups") that the runtime's cgroup
 * code applies too (also to {@code update}, which has no config.json to validate): one
 * definition, here.
 */
public final class ResourceRules {
    private ResourceRules() {}

    /**
     * A hugetlb page size as the kernel names its cgroup files ({@code hugetlb.2MB.limit_in_bytes})
     * and runc derives them from /sys/kernel/mm/hugepages: a number without leading zero and one of
     * B, KB, MB, GB, TB, PB ({@code 64KB}, {@code 2MB}, {@code 1GB}).
     */
    private static final Pattern PAGE_SIZE = Pattern.compile("^[1-9][0-9]*[KMGTP]?B$");

    public static boolean isPageSize(String s) {
        return s != null && PAGE_SIZE.matcher(s).matches();
    }
}
