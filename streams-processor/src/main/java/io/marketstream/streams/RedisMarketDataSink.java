package io.marketstream.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * Publishes the topology's output through the Redis bus, batched by a sender thread of its own: the
 * stream thread only queues each update; the sender takes everything queued (at most
 * {@value #MAX_BATCH}), writes it as one Lua call per market and one per account
 * ({@link RedisMarketDataPublisher#publishBatchAsync}: each call atomic, each channel in order, a
 * market's updates coalesced: consecutive book deltas merged, only the latest candle per open time
 * and the latest ticker kept, every trade kept), waits for Redis's answer and takes the next batch.
 * When traffic is light a batch is one update, sent at once, each message as it is; under load
 * batches grow by themselves while Redis works on the previous one, which is what lets one Redis round
 * trip, one serialisation pass and one socket write serve many events, and coalescing leaves out more
 * superseded states the busier it gets (smart batching: no timer, no added wait). JSON writing happens
 * on the sender thread too, off the stream thread. At most {@value #MAX_QUEUED} updates wait; beyond
 * that the stream thread waits.
 *
 * <p>{@link #flush}, which the topology calls before every commit, waits until everything queued
 * is answered, so no input offset is committed ahead of Redis.
 *
 * <p>Failures: a batch that failed (typically NOSCRIPT after a Redis restart emptied the script
 * cache, or a lost connection) is sent again, call by call, synchronously (which reloads the
 * scripts). If that fails too, the sender stops, and the stream thread's next call throws: the task
 * fails and its records are processed again from the last commit (all calls are idempotent by
 * sequence), while what was queued behind the failure is dropped (it comes again with the replay).
 * When Redis does not hold the book a delta follows (it lost its data, or this is the first run
 * against it), the whole book is sent as a snapshot that replaces it, once every earlier update is
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
    /** Guards the fields below it; the sender waits on it for work, the stream thread for answers. */
    private final Object lock = new Object();
    /** Queued, in order: {@link MarketPublication}s and {@link AccountMessage}s. */
    private ArrayList<Object> queue = new ArrayList<>();
    /** Taken by the sender and not yet answered. */
    private int sending;
    /** Why the sender stopped; the stream thread's next call throws it and restarts the sender. */
    private RuntimeException failure;
    private boolean closed;
    private Thread sender;

    /** Per market: the live book and the last delta handed over, for a replacing snapshot; stream thread only. */
    private final Map<String, LastDelta> lastDeltas = new HashMap<>();
    /** Markets whose stored book a delta did not follow; written by the sender. */
    private final Set<String> gaps = ConcurrentHashMap.newKeySet();

    public RedisMarketDataSink(RedisMarketDataPublisher publisher) {
        this.publisher = publisher;
    }

    private record LastDelta(L2Book book, BookMessage delta) {
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

    /** Stops the sender once it has sent what is queued. The publisher stays open (it is the caller's). */
    @Override
    public void close() {
        Thread thread;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            thread = sender;
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Replaces the books Redis refused a delta for, even when no further event comes to trigger it. */
    @Override
    public synchronized void maintain() {
        repairIfGaps();
    }

    /** Repairs the books a delta did not follow, once everything before is answered. */
    private void repairIfGaps() {
        if (!gaps.isEmpty()) {
            awaitAnswers();
            repairGaps();
        }
    }

    private void enqueue(Object item) {
        synchronized (lock) {
            while (queue.size() >= MAX_QUEUED && failure == null) {
                await();
            }
            throwFailure();
            queue.add(item);
            if (sender == null) {
                sender = new Thread(this::sendLoop, "redis-market-data-sender");
                sender.setDaemon(true);
                sender.start();
            }
            if (queue.size() == 1) {
                lock.notifyAll();
            }
        }
    }

    /** Waits until everything queued is answered; throws if the sender failed. */
    private void awaitAnswers() {
        synchronized (lock) {
            while ((!queue.isEmpty() || sending > 0) && failure == null) {
                await();
            }
            throwFailure();
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

    /** Under {@link #lock}. */
    private void throwFailure() {
        if (failure != null) {
            RuntimeException cause = failure;
            failure = null;
            queue = new ArrayList<>();
            lastDeltas.clear();
            gaps.clear();
            lock.notifyAll();
            // the task fails and re-processes from its last commit, with books rebuilt from its stores
            throw new IllegalStateException("Redis did not take the market data", cause);
        }
    }

    private void sendLoop() {
        while (true) {
            List<Object> batch;
            synchronized (lock) {
                while ((queue.isEmpty() || failure != null) && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty() || failure != null) {
                    sender = null;
                    return;
                }
                if (queue.size() <= MAX_BATCH) {
                    batch = queue;
                    queue = new ArrayList<>(Math.max(16, batch.size()));
                } else {
                    batch = new ArrayList<>(queue.subList(0, MAX_BATCH));
                    queue.subList(0, MAX_BATCH).clear();
                }
                sending = batch.size();
                lock.notifyAll(); // room in the queue
            }
            RuntimeException failed = send(batch);
            synchronized (lock) {
                sending = 0;
                if (failed != null && failure == null) {
                    failure = failed;
                }
                lock.notifyAll();
            }
        }
    }

    /** Sends one batch and waits for the answer; returns why it could not be applied, or null. */
    private RuntimeException send(List<Object> batch) {
        List<MarketPublication> publications = new ArrayList<>(batch.size());
        List<AccountMessage> accounts = new ArrayList<>(batch.size());
        for (Object item : batch) {
            if (item instanceof MarketPublication publication) {
                publications.add(publication);
            } else {
                accounts.add((AccountMessage) item);
            }
        }
        Map<String, MarketPublication.Result> results;
        try {
            results = publisher.publishBatchAsync(publications, accounts).toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.warn("A batch of {} Redis updates failed; sending it again, call by call", batch.size(), e);
            try {
                results = publisher.publishBatch(publications, accounts);
            } catch (RuntimeException again) {
                log.error("Redis did not take a batch of {} updates", batch.size(), again);
                return again;
            }
        }
        results.forEach((market, result) -> {
            if (result.book() == Outcome.GAP) {
                gaps.add(market);
            }
        });
        return null;
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
