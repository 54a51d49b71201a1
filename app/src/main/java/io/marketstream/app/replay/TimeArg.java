package io.marketstream.app.replay;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as an operator types it: an ISO-8601 instant ({@code 2024-05-01T12:00:00Z}, with an offset
 * such as {@code +02:00} too), epoch milliseconds, {@code now}, or a time relative to now: {@code -90s},
 * {@code -15m}, {@code -1h}, {@code -2d} (a minus sign, a whole number, one of {@code s m h d}).
 */
public final class TimeArg {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");
    private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{1,15}");

    private TimeArg() {
    }

    /** @throws IllegalArgumentException with what is accepted, for anything else */
    public static Instant parse(String text, Instant now) {
        String t = text == null ? "" : text.trim();
        if (t.equals("now")) {
            return now;
        }
        Matcher relative = RELATIVE.matcher(t);
        if (relative.matches()) {
            long n = Long.parseLong(relative.group(1));
            Duration ago = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(ago);
        }
        if (EPOCH_MILLIS.matcher(t).matches()) {
            return Instant.ofEpochMilli(Long.parseLong(t));
        }
        try {
            return java.time.OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: use an ISO-8601 instant such as "
                    + "2024-05-01T12:00:00Z, epoch milliseconds, now, or -<n><s|m|h|d> such as -1h");
        }
    }
}
