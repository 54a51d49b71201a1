package io.marketstream.edge;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
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
 * of a channel) and are queued here; the caller (the thread fanning a message out to every subscriber)
 * only appends. One of the node's writer threads then hands everything queued to Jetty as text frames,
 * in order, batched so that Jetty aggregates them into one socket write: under load a connection's
 * messages share writes instead of costing a write each, and the fan-out never waits on a socket. At
 * most one writer works on a connection at a time, so the order of calls is the order on the wire.
 * What is queued or handed over and not yet written is counted in bytes:
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
    private final Executor writers;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    /** The fan-out rounds of messages in {@link #pending} (guarded by {@code pending}); told once they are handed over. */
    private final java.util.ArrayList<FanoutRound> rounds = new java.util.ArrayList<>();
    /** A writer has been asked to hand {@link #pending} to Jetty (guarded by {@code pending}). */
    private boolean writing;
    /** A close to send once what is pending was handed over (guarded by {@code pending}); null if none. */
    private int closeCode;
    private String closeReason;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean lagging;
    private volatile long lagSince;

    /** Frames before the last of a batch: failures only (the last frame's callback accounts for the batch). */
    private final Callback failureOnly = new Callback() {
        @Override
        public void failed(Throwable cause) {
            if (closed.compareAndSet(false, true)) {
                log.debug("Send failed; the connection is gone", cause);
            }
        }
    };

    Outbox(CoreSession core, EdgeConfig config, EdgeMetrics metrics, Executor writers, Runnable onDrained) {
        this.core = core;
        this.config = config;
        this.metrics = metrics;
        this.writers = writers;
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
        return send(utf8, type, null);
    }

    /**
     * As {@link #send(byte[], String)}, as part of a topic's fan-out round: if it returns true, the round is
     * told once the message was handed to Jetty (or dropped with the connection).
     */
    boolean send(byte[] utf8, String type, FanoutRound round) {
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
        boolean wake;
        synchronized (pending) {
            pending.add(utf8);
            // a round's frames come one after another: the round is counted once per outbox, not per frame
            if (round != null && (rounds.isEmpty() || rounds.get(rounds.size() - 1) != round)) {
                round.added();
                rounds.add(round);
            }
            wake = !writing;
            writing = true;
        }
        if (wake) {
            wakeWriter();
        }
        return true;
    }

    /** Asks a writer to hand the queue to Jetty; if the node is stopping, the connection is given up. */
    private void wakeWriter() {
        try {
            writers.execute(this::write);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            markClosed();
            core.abort();
        }
    }

    /** Hands everything queued to Jetty, batch by batch, until the queue is empty (one writer at a time). */
    private void write() {
        while (true) {
            byte[][] batch;
            FanoutRound[] handed = NO_ROUNDS;
            synchronized (pending) {
                if (pending.isEmpty()) {
                    writing = false;
                    if (closeReason != null) {
                        String reason = closeReason;
                        closeReason = null;
                        core.close(closeCode, reason, Callback.from(() -> { }, e -> core.abort()));
                    }
                    return;
                }
                batch = pending.toArray(new byte[0][]);
                pending.clear();
                if (!rounds.isEmpty()) {
                    handed = rounds.toArray(NO_ROUNDS);
                    rounds.clear();
                }
            }
            int bytes = 0;
            for (byte[] message : batch) {
                bytes += message.length;
            }
            int batchBytes = bytes;
            for (int i = 0; i < batch.length; i++) {
                boolean last = i == batch.length - 1;
                Callback callback = !last ? failureOnly : new Callback() {
                    @Override
                    public void succeeded() {
                        written(batchBytes);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        written(batchBytes);
                        if (closed.compareAndSet(false, true)) {
                            log.debug("Send failed; the connection is gone", cause);
                        }
                    }
                };
                // all but the last may wait in Jetty's aggregation buffer; the last flushes the batch
                core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(batch[i])), callback, !last);
            }
            for (FanoutRound round : handed) {
                round.handedOver();
            }
        }
    }

    private static final FanoutRound[] NO_ROUNDS = new FanoutRound[0];

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
        close(WsErrors.CLOSE_SLOW_CONSUMER, "slow consumer: " + why, true);
    }

    /** Closes the connection with a code and reason once what is queued was sent (once; later calls do nothing). */
    void close(int code, String reason) {
        close(code, reason, false);
    }

    /** @param discard whether to drop what is queued and not yet handed to Jetty (a slow consumer's backlog) */
    private void close(int code, String reason, boolean discard) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        metrics.closedByNode(code);
        log.info("Closing connection {}: {} {}", core.getRemoteAddress(), code, reason);
        boolean wake;
        FanoutRound[] dropped = NO_ROUNDS;
        synchronized (pending) {
            if (discard) {
                pending.clear();
                dropped = rounds.toArray(NO_ROUNDS);
                rounds.clear();
            }
            closeCode = code;
            closeReason = reason;
            wake = !writing;
            writing = true;
        }
        for (FanoutRound round : dropped) {
            round.handedOver();
        }
        if (wake) {
            wakeWriter();
        }
    }

    /** Marks the connection gone (closed by the client or the network). */
    void markClosed() {
        closed.set(true);
    }
}
