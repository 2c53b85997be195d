package io.jrunc.spec.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The version and hugetlb page-size checks are written by hand (no regex on create's path):
 * held here to the regular expressions they replace, on hand-picked edge cases and on many
 * random strings over the characters that matter.
 */
class HandParsersTest {
    private static final Pattern SEMVER =
            Pattern.compile("^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");
    private static final Pattern PAGE_SIZE = Pattern.compile("^[1-9][0-9]*[KMGTP]?B$");

    /** The fixed cases and 20000 strings of up to 9 random tokens. */
    private static List<String> cases(String[] tokens, List<String> fixed) {
        List<String> all = new ArrayList<>(fixed);
        Random r = new Random(42);
        for (int i = 0; i < 20000; i++) {
            int n = r.nextInt(10);
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < n; j++) b.append(tokens[r.nextInt(tokens.length)]);
            all.add(b.toString());
        }
        return all;
    }

    @Test
    void majorMinorIsTheSemverRegex() {
        List<String> fixed = List.of("1.3.0", "1.0.0", "0.0.0", "1.2.3-rc.1", "1.2.3+build.5", "1.2.3-rc-1+b.7",
                "01.2.3", "1.02.3", "1.2.03", "1.2", "1.2.3.", "1.2.3-", "1.2.3+", "1.2.3-+x", "1.2.3+x-y",
                "1.2.3+x+y", "1.2.3-x_y", " 1.2.3", "1.2.3 ", "", "a.b.c", "10.20.30", "1.3.0-dev");
        List<String> all = cases(new String[] {"0", "1", "12", "01", "9", ".", ".", ".", "-", "+", "a", "Z", "_", " "}, fixed);
        // and near-misses of the shape: numbers with and without leading zeros, tails good and bad
        String[] nums = {"0", "1", "12", "01", "", "99999999999999999999"};
        String[] tails = {"", "", "-a.b", "-", "+Z-9", "+", "-a+b", "-_", "+.", "-1-", " "};
        Random r = new Random(7);
        for (int i = 0; i < 20000; i++) {
            all.add(nums[r.nextInt(nums.length)] + "." + nums[r.nextInt(nums.length)] + "." + nums[r.nextInt(nums.length)]
                    + tails[r.nextInt(tails.length)] + tails[r.nextInt(tails.length)]);
        }
        int matched = 0;
        for (String v : all) {
            Matcher m = SEMVER.matcher(v);
            long[] mm = SemanticChecks.majorMinor(v);
            if (m.matches()) {
                matched++;
                assertArrayEquals(new long[] {capped(m.group(1)), capped(m.group(2))}, mm, v);
            } else {
                assertNull(mm, v);
            }
        }
        // the random strings must reach both answers, or this proves little
        assertEquals(true, matched > 50, "matched " + matched);
    }

    private static long capped(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    @Test
    void aNumberTooLongForALongIsUnsupportedNotAnError() {
        assertArrayEquals(new long[] {Long.MAX_VALUE, 3}, SemanticChecks.majorMinor("99999999999999999999999.3.0"));
    }

    @Test
    void isPageSizeIsTheRegex() {
        List<String> fixed = List.of("2MB", "1GB", "64KB", "1B", "10B", "0B", "02MB", "MB", "B", "2M", "2mB",
                "2KKB", "2KBB", "", "512kB", "1PB", "1TB", "1EB");
        int matched = 0;
        for (String s : cases(new String[] {"0", "1", "2", "9", "K", "M", "G", "T", "P", "B", "B", "x"}, fixed)) {
            boolean want = PAGE_SIZE.matcher(s).matches();
            if (want) matched++;
            assertEquals(want, ResourceRules.isPageSize(s), s);
        }
        assertEquals(false, ResourceRules.isPageSize(null));
        assertEquals(true, matched > 50, "matched " + matched);
    }
}
