package io.marketstream.app.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long read on standard error: a live bar in a terminal, otherwise (a pipe, a log file, CI)
 * a plain line every {@link #PLAIN_INTERVAL}, so that a log gets a few lines, not thousands of redraws.
 * Off when disabled: every call is then a no-op.
 */
public final class Progress implements AutoCloseable {
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param err where plain lines go when there is no terminal
     * @param total records expected (the bar's 100%)
     */
    public static Progress start(String task, long total, boolean enabled, PrintWriter err) {
        if (!enabled) {
            return new Progress(null);
        }
        boolean terminal = System.console() != null;
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 0))
                .setUnit(" events", 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS);
        if (terminal) {
            builder.setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250);
        } else {
            builder.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis((int) PLAIN_INTERVAL.toMillis())
                    .setConsumer(new DelegatingProgressBarConsumer(line -> {
                        err.println(line.strip());
                        err.flush();
                    }));
        }
        return new Progress(builder.build());
    }

    public void step() {
        if (bar != null) {
            bar.step();
        }
    }

    public void stepBy(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** Adds a note after the bar (e.g. what is being waited for). */
    public void note(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
