package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's outbound queue: at most one send in flight, the rest queued in order, bounded
 * in bytes. When a message would take the queue past its limit the connection is closed with
 * {@link #SLOW_CONSUMER} and a reason, so a slow client costs bounded memory and never delays
 * others. Thread-safe: messages arrive from the Redis thread, snapshot readers and request handlers.
 */
final class Outbox {
    /** Close code for a client that does not read fast enough (4000–4999 are the application's). */
    static final int SLOW_CONSUMER = 4008;
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final Session session;
    private final long maxQueuedBytes;
    private final Queue<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean sending;
    private boolean closed;

    Outbox(Session session, long maxQueuedBytes) {
        this.session = session;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Queues a text message; returns false if the connection is closed or was just closed for being slow. */
    boolean send(String text) {
        String toSend;
        long size = text.getBytes(StandardCharsets.UTF_8).length;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (queuedBytes + size > maxQueuedBytes) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
                toSend = null;
            } else if (sending) {
                queue.add(new Pending(text, size));
                queuedBytes += size;
                return true;
            } else {
                sending = true;
                toSend = text;
            }
        }
        if (toSend == null) {
            // closed outside the lock: Jetty may call back into the session from close()
            log.info("Closing slow consumer {}: over {} bytes queued", session.getRemoteSocketAddress(), maxQueuedBytes);
            session.close(SLOW_CONSUMER, "slow consumer: more than " + maxQueuedBytes + " bytes queued",
                    Callback.from(() -> { }, e -> log.debug("close failed", e)));
            return false;
        }
        write(toSend);
        return true;
    }

    private void write(String text) {
        session.sendText(text, Callback.from(this::sent, this::failed));
    }

    private void sent() {
        Pending next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                sending = false;
                return;
            }
            queuedBytes -= next.size();
        }
        write(next.text());
    }

    private void failed(Throwable cause) {
        synchronized (this) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            sending = false;
        }
        log.debug("Send to {} failed; the connection is gone", session.getRemoteSocketAddress(), cause);
    }

    private record Pending(String text, long size) {
    }

    synchronized void markClosed() {
        closed = true;
        queue.clear();
        queuedBytes = 0;
    }
}
