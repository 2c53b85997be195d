package io.jrunc.spec;

/**
 * RFC 3339 timestamps in UTC with nanoseconds, {@code 2026-11-25T10:44:55.123456789Z}, computed
 * by hand: the CLI's log lines and the state record's {@code created} are written on the hot
 * path of short-lived JVMs, where java.time's formatter and zone rules cost 1-20 ms of start-up
 * (1.2 ms of a CLI create, which writes a record; 15-20 ms of a failing call's error line).
 * Every RFC 3339 parser (Go's, java.time's) reads the fixed nine digits.
 */
public final class Rfc3339 {
  private Rfc3339() {}

  /** The current time. */
  public static String utcNow() {
    java.time.Instant now = java.time.Instant.now();
    return utc(now.getEpochSecond(), now.getNano());
  }

  /** {@code epochSecond} and {@code nano} (0-999999999) since 1970-01-01T00:00:00Z. */
  public static String utc(long epochSecond, int nano) {
    long days = Math.floorDiv(epochSecond, 86_400L);
    long secs = Math.floorMod(epochSecond, 86_400L);
    // civil-from-days (H. Hinnant's algorithm), proleptic Gregorian calendar
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder b = new StringBuilder(30);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    pad(b, day, 2).append('T');
    pad(b, secs / 3600, 2).append(':');
    pad(b, secs / 60 % 60, 2).append(':');
    pad(b, secs % 60, 2).append('.');
    pad(b, nano, 9).append('Z');
    return b.toString();
  }

  private static StringBuilder pad(StringBuilder b, long v, int width) {
    String s = Long.toString(v);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
