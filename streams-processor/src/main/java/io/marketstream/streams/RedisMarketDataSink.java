package io.marketstream.streams;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * Publishes the topology's output through the Redis bus, pipelined: each update is one Lua call
 * sent without waiting for the answer (Redis runs them in the order sent), at most
 * {@value #MAX_IN_FLIGHT} unanswered at a time. {@link #flush}, which the topology calls before every
 * commit, waits for all answers.
 *
 * <p>Failures: a call that failed (typically NOSCRIPT after a Redis restart emptied the script cache,
 * or a lost connection) is sent again, in order, synchronously (which reloads the script); if that
 * fails too, the sink throws, the task fails and its records are processed again from the last
 * commit (all calls are idempotent by sequence). When Redis does not hold the book a delta follows
 * (it lost its data, or this is the first run against it), the whole book is sent as a snapshot that
 * replaces it, once every earlier call is answered.
 *
 * <p>Used by the stream threads of one process; synchronized (one thread by default).
 */
public final class RedisMarketDataSink implements MarketDataSink {
    private static final Logger log = LoggerFactory.getLogger(RedisMarketDataSink.class);
    /** Calls sent and not yet answered, at most. */
    public static final int MAX_IN_FLIGHT = 4_096;

    private final RedisMarketDataPublisher publisher;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    /** Per market: the live book and the last delta handed over, for a replacing snapshot. */
    private final Map<String, LastDelta> lastDeltas = new HashMap<>();
    /** Markets whose stored book a delta did not follow; written by Lettuce's thread. */
    private final Set<String> gaps = ConcurrentHashMap.newKeySet();

    public RedisMarketDataSink(RedisMarketDataPublisher publisher) {
        this.publisher = publisher;
    }

    private record Pending(MarketPublication publication, AccountMessage account, CompletableFuture<?> answer) {
    }

    private record LastDelta(L2Book book, BookMessage delta) {
    }

    @Override
    public synchronized void publish(MarketUpdate update) {
        String market = update.market();
        if (update.delta() != null) {
            lastDeltas.put(market, new LastDelta(update.bookAfter(), update.delta()));
        }
        MarketPublication publication = new MarketPublication(market, update.delta(), false, update.trade(),
                update.klines(), update.ticker());
        CompletableFuture<?> answer = publisher.publishAsync(publication).thenAccept(result -> {
            if (result.book() == Outcome.GAP) {
                gaps.add(market);
            }
        }).toCompletableFuture();
        inFlight.addLast(new Pending(publication, null, answer));
        afterSend();
    }

    @Override
    public synchronized void account(AccountMessage message) {
        inFlight.addLast(new Pending(null, message, publisher.publishAccountAsync(message).toCompletableFuture()));
        afterSend();
    }

    @Override
    public void markets(MarketCatalog catalog) {
        publisher.publishMarkets(catalog);
    }

    @Override
    public synchronized void flush() {
        settle();
    }

    /** Retires answered calls; settles everything at once on a failure or a gap, or waits when too many are out. */
    private void afterSend() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().answer().isDone()) {
            if (inFlight.peekFirst().answer().isCompletedExceptionally()) {
                settle();
                return;
            }
            inFlight.pollFirst();
        }
        if (!gaps.isEmpty()) {
            settle();
            return;
        }
        while (inFlight.size() > MAX_IN_FLIGHT) {
            Pending oldest = inFlight.peekFirst();
            try {
                oldest.answer().join();
                inFlight.pollFirst();
            } catch (RuntimeException e) {
                settle();
                return;
            }
        }
    }

    /** Waits for every answer, re-sends failed calls in order, then repairs stored books that a delta did not follow. */
    private void settle() {
        List<Pending> failed = new ArrayList<>();
        Throwable firstFailure = null;
        while (!inFlight.isEmpty()) {
            Pending pending = inFlight.pollFirst();
            try {
                pending.answer().join();
            } catch (RuntimeException e) {
                failed.add(pending);
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        try {
            if (!failed.isEmpty()) {
                log.warn("{} Redis calls failed; sending them again in order", failed.size(), firstFailure);
                for (Pending pending : failed) {
                    if (pending.publication() != null) {
                        if (publisher.publish(pending.publication()).book() == Outcome.GAP) {
                            gaps.add(pending.publication().market());
                        }
                    } else {
                        publisher.publishAccount(pending.account());
                    }
                }
            }
            for (String market : List.copyOf(gaps)) {
                gaps.remove(market);
                LastDelta last = lastDeltas.get(market);
                if (last != null) {
                    replaceBook(last);
                }
            }
        } catch (RuntimeException e) {
            // the task fails and re-processes from its last commit, with books rebuilt from its stores
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
