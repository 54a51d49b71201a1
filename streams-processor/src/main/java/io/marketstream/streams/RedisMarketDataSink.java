package io.marketstream.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.redis.MarketPublication;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataPublisher.Outcome;

/**
 * Publishes the topology's output through the Redis bus, batched with at most one batch in flight: the
 * stream thread queues each update; whoever finds nothing in flight takes everything queued (at most
 * {@value #MAX_BATCH}) and writes it as one Lua call per market and one per account
 * ({@link RedisMarketDataPublisher#publishBatchAsync}: each call atomic, each channel in order, a
 * market's updates coalesced: consecutive book deltas merged, only the latest candle per open time
 * and the latest ticker kept, every trade kept). When Redis answers, the answer's thread (Lettuce's
 * event loop) takes what was queued meanwhile and sends it, without waiting. When traffic is light a
 * batch is one update, sent at once by the stream thread itself, each message as it is: nothing stands
 * between the event and its Redis call but the call (no thread hand-off before Lettuce's own). Under load
 * batches grow by themselves while Redis works on the previous one, which is what lets one Redis round
 * trip, one serialisation pass and one socket write serve many events, and coalescing leaves out more
 * superseded states the busier it gets (smart batching: no timer, no added wait); the JSON of those
 * batches is written on the event loop, off the stream thread. At most {@value #MAX_QUEUED} updates
 * wait; beyond that the stream thread waits.
 *
 * <p>{@link #flush}, which the topology calls before every commit, waits until everything queued
 * is answered, so no input offset is committed ahead of Redis.
 *
 * <p>Failures: a batch that failed (typically NOSCRIPT after a Redis restart emptied the script
 * cache, or a lost connection) is held, with everything queued behind it, and sent again by the stream
 * thread at its next call ({@link #publish}, {@link #account}, {@link #flush}, or the once-a-second
 * {@link #maintain}), call by call and synchronously (which reloads the scripts). If that fails too, the
 * call throws: the task fails and its records are processed again from the last commit (all calls are
 * idempotent by sequence), while what was queued behind the failure is dropped (it comes again with the
 * replay). When Redis does not hold the book a delta follows (it lost its data, or this is the first
 * run against it), the whole book is sent as a snapshot that replaces it, once every earlier update is
 * answered, from the stream thread (which owns the book).
 *
 * <p>Used by the stream threads of one process; their calls are synchronized (one thread by default).
 */
public final class RedisMarketDataSink implements MarketDataSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisMarketDataSink.class);
    /** Updates and private messages queued and not yet answered, at most. */
    public static final int MAX_QUEUED = 8_192;
    /** Updates and private messages sent in one batch (one round trip), at most. */
    public static final int MAX_BATCH = 1_024;

    private final RedisMarketDataPublisher publisher;
    /** Guards the fields below it; the stream thread waits on it for answers and for room. */
    private final Object lock = new Object();
    /** Queued and not yet sent, in order: {@link MarketPublication}s and {@link AccountMessage}s. */
    private ArrayList<Object> queue = new ArrayList<>();
    /** Sent and not yet answered (0: nothing in flight; at most one batch is). */
    private int sending;
    /** A batch whose asynchronous call failed, still counted in {@link #sending}: the stream thread sends it again. */
    private List<Object> failedBatch;

    /** Per market: the live book and the last delta handed over, for a replacing snapshot; stream thread only. */
    private final Map<String, LastDelta> lastDeltas = new HashMap<>();
    /** Markets whose stored book a delta did not follow; written by the answers' thread. */
    private final Set<String> gaps = ConcurrentHashMap.newKeySet();

    public RedisMarketDataSink(RedisMarketDataPublisher publisher) {
        this.publisher = publisher;
    }

    private record LastDelta(L2Book book, BookMessage delta) {
    }

    /** A batch as the publisher takes it: the market publications and the private messages, each in order. */
    private record Split(List<MarketPublication> publications, List<AccountMessage> accounts) {
        static Split of(List<Object> batch) {
            List<MarketPublication> publications = new ArrayList<>(batch.size());
            List<AccountMessage> accounts = new ArrayList<>(batch.size());
            for (Object item : batch) {
                if (item instanceof MarketPublication publication) {
                    publications.add(publication);
                } else {
                    accounts.add((AccountMessage) item);
                }
            }
            return new Split(publications, accounts);
        }
    }

    @Override
    public synchronized void publish(MarketUpdate update) {
        String market = update.market();
        enqueue(new MarketPublication(market, update.delta(), false, update.trade(), update.klines(), update.ticker()));
        if (update.delta() != null) {
            lastDeltas.put(market, new LastDelta(update.bookAfter(), update.delta()));
            // every book is now the one its last delta describes (an update without a delta may come
            // while its event's own market has changed and not yet been handed over)
            repairIfGaps();
        }
    }

    @Override
    public synchronized void account(AccountMessage message) {
        enqueue(message);
        repairIfGaps();
    }

    @Override
    public void markets(MarketCatalog catalog) {
        publisher.publishMarkets(catalog);
    }

    @Override
    public synchronized void flush() {
        awaitAnswers();
        repairGaps();
    }

    /**
     * Waits (at most 10 s) until what is queued has been answered. The publisher stays open (it is the
     * caller's); a batch that failed stays unsent (the records that made it are processed again).
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (lock) {
            long left;
            while ((!queue.isEmpty() || sending > 0) && failedBatch == null
                    && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Sends again a batch that failed, and replaces the books Redis refused a delta for, even when no further event comes. */
    @Override
    public synchronized void maintain() {
        boolean failed;
        synchronized (lock) {
            failed = failedBatch != null;
        }
        if (failed) {
            recover();
        }
        repairIfGaps();
    }

    /** Repairs the books a delta did not follow, once everything before is answered. */
    private void repairIfGaps() {
        if (!gaps.isEmpty()) {
            awaitAnswers();
            repairGaps();
        }
    }

    /** Queues {@code item}; sends it at once, on this thread, when nothing is in flight. */
    private void enqueue(Object item) {
        List<Object> batch;
        while (true) {
            synchronized (lock) {
                while (queue.size() >= MAX_QUEUED && failedBatch == null) {
                    await();
                }
                if (failedBatch == null) {
                    queue.add(item);
                    batch = takeBatch();
                    break;
                }
            }
            recover();
        }
        if (batch != null) {
            dispatch(batch);
        }
    }

    /** Waits until everything queued is answered, sending a failed batch again (throws if that fails). */
    private void awaitAnswers() {
        while (true) {
            synchronized (lock) {
                while ((!queue.isEmpty() || sending > 0) && failedBatch == null) {
                    await();
                }
                if (failedBatch == null) {
                    return;
                }
            }
            recover();
        }
    }

    private void await() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
    }

    /** Under {@link #lock}: the next batch to send, taken from the queue, if nothing is in flight; else null. */
    private List<Object> takeBatch() {
        if (sending > 0 || failedBatch != null || queue.isEmpty()) {
            return null;
        }
        List<Object> batch;
        if (queue.size() <= MAX_BATCH) {
            batch = queue;
            queue = new ArrayList<>(Math.max(16, batch.size()));
        } else {
            batch = new ArrayList<>(queue.subList(0, MAX_BATCH));
            queue.subList(0, MAX_BATCH).clear();
        }
        sending = batch.size();
        lock.notifyAll(); // room in the queue
        return batch;
    }

    /**
     * Sends a batch taken with {@link #takeBatch} without waiting for the answer; the answer's thread
     * sends what was queued meanwhile. Any thread, never under {@link #lock}.
     */
    private void dispatch(List<Object> batch) {
        Split split = Split.of(batch);
        CompletableFuture<Map<String, MarketPublication.Result>> answer;
        try {
            answer = publisher.publishBatchAsync(split.publications(), split.accounts()).toCompletableFuture();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((results, error) -> {
            List<Object> next = answered(batch, results, error);
            if (next != null) {
                dispatch(next);
            }
        });
    }

    /** A batch's answer: notes the gaps, or holds the batch for the stream thread if it failed; returns the next batch to send. */
    private List<Object> answered(List<Object> batch, Map<String, MarketPublication.Result> results, Throwable error) {
        if (error == null) {
            results.forEach((market, result) -> {
                if (result.book() == Outcome.GAP) {
                    gaps.add(market);
                }
            });
        } else {
            log.warn("A batch of {} Redis updates failed; the stream thread sends it again, call by call", batch.size(),
                    error);
        }
        synchronized (lock) {
            if (error != null) {
                failedBatch = batch;
                lock.notifyAll();
                return null;
            }
            sending = 0;
            List<Object> next = takeBatch();
            lock.notifyAll();
            return next;
        }
    }

    /**
     * Stream thread, nothing else in flight: sends the failed batch again, call by call, waiting for each
     * answer; then sends what queued behind it. Throws if Redis still does not take it.
     */
    private void recover() {
        List<Object> batch;
        synchronized (lock) {
            batch = failedBatch;
        }
        if (batch == null) {
            return;
        }
        Split split = Split.of(batch);
        Map<String, MarketPublication.Result> results;
        try {
            results = publisher.publishBatch(split.publications(), split.accounts());
        } catch (RuntimeException again) {
            log.error("Redis did not take a batch of {} updates", batch.size(), again);
            synchronized (lock) {
                failedBatch = null;
                sending = 0;
                queue = new ArrayList<>();
                lock.notifyAll();
            }
            lastDeltas.clear();
            gaps.clear();
            // the task fails and re-processes from its last commit, with books rebuilt from its stores
            throw new IllegalStateException("Redis did not take the market data", again);
        }
        synchronized (lock) {
            failedBatch = null;
        }
        List<Object> next = answered(batch, results, null);
        if (next != null) {
            dispatch(next);
        }
    }

    /** Replaces the stored books that a delta did not follow; call with nothing unanswered. */
    private void repairGaps() {
        try {
            for (String market : List.copyOf(gaps)) {
                gaps.remove(market);
                LastDelta last = lastDeltas.get(market);
                if (last != null) {
                    replaceBook(last);
                }
            }
        } catch (RuntimeException e) {
            lastDeltas.clear();
            throw new IllegalStateException("Redis did not take the market data", e);
        }
    }

    private void replaceBook(LastDelta last) {
        BookMessage delta = last.delta();
        L2Book book = last.book();
        BookMessage snapshot = new BookMessage(delta.channel(), BookMessage.SNAPSHOT, delta.lastSeq(), delta.lastSeq(),
                book.levels(Side.BUY, Integer.MAX_VALUE), book.levels(Side.SELL, Integer.MAX_VALUE), book.checksum(),
                delta.ts());
        Outcome outcome = publisher.publishBook(snapshot, true);
        log.info("{}: Redis did not hold the book a delta followed; replaced it with a snapshot at {} ({})",
                delta.channel(), delta.lastSeq(), outcome);
    }
}
