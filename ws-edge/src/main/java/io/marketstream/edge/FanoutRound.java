package io.marketstream.edge;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One upstream message's fan-out by a topic, from the moment the topic starts handing it to its subscribers'
 * outboxes until every outbox that took it has handed it to Jetty (a writer thread did; whether the client
 * reads it is another matter: a slow client's bytes wait in Jetty and in its socket, and are its outbox's
 * lag, never this round's). A topic lets at most two rounds be under way (see {@link Topic}): while they
 * are, what arrives waits in the topic's inbox, and the next fan-out merges it (see {@link BookTopic}). So
 * when the writers are behind, the wait happens once, in the topic, where deltas merge, instead of in a
 * thousand connection queues, where every delta would be written; the latency stays about two rounds.
 *
 * <p>Counting: {@link #added} for each outbox that took the message, {@link #handedOver} once for each of
 * them (by the writer, or when the outbox drops what it queued), and {@link #sealed} by the topic after the
 * last; the round is done when all of these balance. Thread-safe.
 */
final class FanoutRound {
    /** Outboxes still holding the message, plus one until the topic sealed the round. */
    private final AtomicInteger outstanding = new AtomicInteger(1);
    /** What to run once the round is done or it waited too long (taken exactly once). */
    private final AtomicReference<Runnable> waiter = new AtomicReference<>();
    final long startedNanos = System.nanoTime();

    void added() {
        outstanding.incrementAndGet();
    }

    void handedOver() {
        if (outstanding.decrementAndGet() == 0) {
            release();
        }
    }

    /** The topic handed the message to every subscriber it goes to. */
    void sealed() {
        handedOver();
    }

    boolean isDone() {
        return outstanding.get() <= 0;
    }

    /**
     * Asks for {@code resume} to run once the round is done (or {@link #release} is called sooner). Returns
     * false, without keeping it, if the round is done already: the caller goes on itself.
     */
    boolean runWhenDone(Runnable resume) {
        waiter.set(resume);
        if (isDone()) {
            // it may have finished before the waiter was set: whoever takes the waiter runs it
            return !waiter.compareAndSet(resume, null);
        }
        return true;
    }

    /** Runs the waiter now, if there is one (the round is done, or has taken too long to wait for). */
    void release() {
        Runnable resume = waiter.getAndSet(null);
        if (resume != null) {
            resume.run();
        }
    }
}
