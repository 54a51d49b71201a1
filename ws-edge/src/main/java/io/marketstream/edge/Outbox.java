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
 * only appends. One of the node's writer threads then hands everything queued to Jetty, in order, one text
 * frame per message, so that it goes out in one socket write: under load a connection's messages share writes
 * instead of costing a write each, and the fan-out never waits on a socket. On a connection without extensions
 * the messages are handed over as {@link FrameRun}s (one entry of Jetty's frame queue for a whole batch, the
 * frames encoded here: the same bytes as Jetty's); with an extension (permessage-deflate) as one Jetty frame
 * each, through the extension. At most one writer works on a connection at a time, so the order of calls is
 * the order on the wire.
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

    /**
     * Longest run of messages handed to Jetty as one {@link FrameRun} (bytes on the wire after the first header); 0
     * if the connection negotiated an extension, whose frames must go through it one by one.
     */
    private final int maxRunBytes;

    /** {@link #write()}, as the task a writer runs (one object for the connection's life, not one per wake-up). */
    private final Runnable writeTask = this::write;

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
        long maxFrame = core.getMaxFrameSize();
        this.maxRunBytes = !core.getNegotiatedExtensions().isEmpty() ? 0
                : (int) Math.min(EdgeNode.OUTPUT_BUFFER_BYTES, maxFrame > 0 ? maxFrame : Long.MAX_VALUE);
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
        if (!admit(utf8.length, 1, type)) {
            return false;
        }
        boolean wake;
        synchronized (pending) {
            pending.add(utf8);
            wake = !writing;
            writing = true;
        }
        if (wake) {
            wakeWriter();
        }
        return true;
    }

    /**
     * Hands several text messages to the connection at once, in order, as part of a topic's fan-out round: all of
     * them, or none if the connection is closed or they would take it past the hard limit (it is then closed as a
     * slow consumer). Queued together, they go to Jetty together (see {@link #write()}). If it returns true, the
     * round (if any: a timed view's tick has none) is told once they were handed to Jetty (or dropped with the
     * connection).
     *
     * @param bytes the messages' total length
     */
    boolean send(byte[][] messages, int bytes, String type, FanoutRound round) {
        if (!admit(bytes, messages.length, type)) {
            return false;
        }
        boolean wake;
        synchronized (pending) {
            for (byte[] message : messages) {
                pending.add(message);
            }
            if (round != null) {
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

    /** Counts messages of {@code bytes} in, unless the connection is closed or they would take it past the hard limit. */
    private boolean admit(int bytes, int messages, String type) {
        if (closed.get()) {
            return false;
        }
        long now = queued.addAndGet(bytes);
        if (now > config.maxQueuedBytes()) {
            queued.addAndGet(-bytes);
            closeSlow("more than " + config.maxQueuedBytes() + " bytes queued");
            return false;
        }
        if (now > config.lagQueuedBytes() && !lagging) {
            lagSince = System.nanoTime();
            lagging = true;
        }
        metrics.sent(type, messages, bytes);
        return true;
    }

    /** Asks a writer to hand the queue to Jetty; if the node is stopping, the connection is given up. */
    private void wakeWriter() {
        try {
            writers.execute(writeTask);
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
            if (maxRunBytes > 0) {
                handOverInRuns(batch);
            } else {
                handOverFrameByFrame(batch);
            }
            for (FanoutRound round : handed) {
                round.handedOver();
            }
        }
    }

    /**
     * A connection without extensions: consecutive messages go to Jetty as {@link FrameRun}s, one entry of Jetty's
     * frame queue per run of up to {@link #maxRunBytes} (one socket write for a whole batch, usually); a longer
     * message, or one alone, as a frame of its own (Jetty writes its payload by reference, fragmenting it if it is
     * longer than a frame may be).
     */
    private void handOverInRuns(byte[][] batch) {
        int from = 0;
        while (from < batch.length) {
            int to = from + 1;
            int runBytes = batch[from].length;
            int payloadBytes = batch[from].length;
            if (runBytes <= maxRunBytes) {
                while (to < batch.length && batch[to].length <= maxRunBytes
                        && runBytes + FrameRun.frameLength(batch[to].length) <= maxRunBytes) {
                    runBytes += FrameRun.frameLength(batch[to].length);
                    payloadBytes += batch[to].length;
                    to++;
                }
            }
            if (to - from == 1) {
                core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(batch[from])), new Handed(payloadBytes, null), false);
            } else {
                FrameRun run = FrameRun.encode(core.getByteBufferPool(), batch, from, to);
                core.sendFrame(run, new Handed(payloadBytes, run), false);
            }
            from = to;
        }
    }

    /**
     * A connection with an extension (permessage-deflate): one Jetty frame per message, through the extension; all
     * but the last may wait in Jetty's aggregation buffer, the last flushes the batch.
     */
    private void handOverFrameByFrame(byte[][] batch) {
        int bytes = 0;
        for (byte[] message : batch) {
            bytes += message.length;
        }
        for (int i = 0; i < batch.length; i++) {
            boolean last = i == batch.length - 1;
            core.sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(batch[i])), last ? new Handed(bytes, null) : failureOnly,
                    !last);
        }
    }

    /** Accounts for what one entry handed to Jetty carried once Jetty is done with it, written or failed. */
    private final class Handed implements Callback {
        private final int bytes;
        private final FrameRun run;

        Handed(int bytes, FrameRun run) {
            this.bytes = bytes;
            this.run = run;
        }

        @Override
        public void succeeded() {
            done();
        }

        @Override
        public void failed(Throwable cause) {
            done();
            if (closed.compareAndSet(false, true)) {
                log.debug("Send failed; the connection is gone", cause);
            }
        }

        private void done() {
            if (run != null) {
                run.release();
            }
            written(bytes);
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
