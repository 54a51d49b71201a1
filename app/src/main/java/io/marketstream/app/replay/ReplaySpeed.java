package io.marketstream.app.replay;

import java.util.Locale;

/**
 * How fast a replay is shown: {@code 1x} (the events' own pace), {@code 10x}, any {@code <n>x} from 0.01 to
 * 1000, or {@code max} (as fast as Redis takes it).
 */
public record ReplaySpeed(double factor) {
    public static final ReplaySpeed MAX = new ReplaySpeed(Double.POSITIVE_INFINITY);

    /** @throws IllegalArgumentException with what is accepted */
    public static ReplaySpeed parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("max")) {
            return MAX;
        }
        if (t.endsWith("x")) {
            try {
                double factor = Double.parseDouble(t.substring(0, t.length() - 1));
                if (factor >= 0.01 && factor <= 1000) {
                    return new ReplaySpeed(factor);
                }
            } catch (NumberFormatException e) {
                // said below
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a speed: use 1x, 10x (any <n>x from 0.01x to 1000x) or max");
    }

    public boolean isMax() {
        return Double.isInfinite(factor);
    }

    /** Wall-clock nanoseconds for this much event time. */
    public long wallNanos(long eventMillis) {
        return isMax() ? 0 : (long) (eventMillis * 1_000_000.0 / factor);
    }

    public String label() {
        return isMax() ? "max" : (factor == Math.rint(factor) ? String.valueOf((long) factor) : String.valueOf(factor)) + "x";
    }
}
