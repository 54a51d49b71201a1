package io.marketstream.edge;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.ws.WsErrors;

/**
 * One connection's outbound side. Messages arrive already encoded (the same bytes for every subscriber
 * of a channel) and go to Jetty as text frames at once, in call order; Jetty's flusher gathers queued
 * frames into few socket writes. What is handed over and not yet written is counted in bytes:
 * <ul>
 *   <li>above {@link EdgeConfig#lagQueuedBytes} the connection is <em>lagging</em>: the channels ask
 *       {@link #isLagging()} before each droppable message and conflate instead of sending (books merge
 *       their deltas, trades announce a gap, tickers and candles keep their latest state);</li>
 *   <li>once it is back under half that, {@code onDrained} runs (on the node's executor, never inside a
 *       caller's lock) so that the channels send what they held back;</li>
 *   <li>a message that would take it past {@link EdgeConfig#maxQueuedBytes} closes the connection with
 *       {@link WsErrors#CLOSE_SLOW_CONSUMER}, as does lagging for longer than
 *       {@link EdgeConfig#slowConsumerTimeout} ({@link #checkSlow}).</li>
 * </ul>
 * So a slow client costs bounded memory and never delays the others. Thread-safe.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final CoreSession core;
    private final EdgeConfig config;
    private final EdgeMetrics metrics;
    private final Runnable onDrained;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean lagging;
    private volatile long lagSince;

    Outbox(CoreSession core, EdgeConfig config, EdgeMetrics metrics, Runnable onDrained) {
        this.core = core;
        this.config = config;
        this.metrics = metrics;
        this.onDrained = onDrained;
    }

    /** Whether droppable messages should be conflated rather than sent. */
    boolean isLagging() {
        return lagging;
    }

    boolean isClosed() {
        return closed.get();
    }

    long queuedBytes() {
        return queued.get();
    }

    /**
     * Hands a text message to the connection. Returns false if the connection is closed, or if this message
     * would take it past the hard limit (it is then closed as a slow consumer).
     *
     * @param type the channel type for the metrics ({@code book}, {@code trades}, ..., {@code control})
     */
    boolean send(byte[] utf8, String type) {
        if (closed.get()) {
            return false;
        }
        int size = utf8.length;
        long now = queued.addAndGet(size);
        if (now > config.maxQueuedBytes()) {
            queued.addAndGet(-size);
            closeSlow("more than " + config.maxQueuedBytes() + " bytes queued");
            return false;
        }
        if (now > config.lagQueuedBytes() && !lagging) {
            lagSince = System.nanoTime();
            lagging = true;
        }
        metrics.sent(type, size);
        core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(utf8)), new Callback() {
            @Override
            public void succeeded() {
                written(size);
            }

            @Override
            public void failed(Throwable cause) {
                written(size);
                if (closed.compareAndSet(false, true)) {
                    log.debug("Send failed; the connection is gone", cause);
                }
            }
        }, false);
        return true;
    }

    private void written(int size) {
        long now = queued.addAndGet(-size);
        if (lagging && now <= config.lagQueuedBytes() / 2) {
            lagging = false;
            if (!closed.get()) {
                onDrained.run();
            }
        }
    }

    /** Closes the connection if it has been lagging for longer than the slow-consumer timeout. */
    void checkSlow(long nowNanos) {
        if (lagging && !closed.get() && nowNanos - lagSince > config.slowConsumerTimeout().toNanos()) {
            closeSlow("lagging for more than " + config.slowConsumerTimeout().toSeconds() + " s");
        }
    }

    private void closeSlow(String why) {
        close(WsErrors.CLOSE_SLOW_CONSUMER, "slow consumer: " + why);
    }

    /** Closes the connection with a code and reason (once; later calls do nothing). */
    void close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        metrics.closedByNode(code);
        log.info("Closing connection {}: {} {}", core, code, reason);
        core.close(code, reason, Callback.from(() -> { }, e -> core.abort()));
    }

    /** Marks the connection gone (closed by the client or the network). */
    void markClosed() {
        closed.set(true);
    }
}
