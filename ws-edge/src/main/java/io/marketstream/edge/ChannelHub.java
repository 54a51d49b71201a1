package io.marketstream.edge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * The node's channels: one {@link Topic} per upstream channel with local subscribers, created with the
 * first and closed (its Redis subscription dropped) with the last. Lock order: the hub, then a topic, then
 * an outbox's queue ({@link Outbox#send} under a topic's monitor). Nothing inside a topic's monitor calls back
 * into the hub; the fan-out, writer and timer threads take no other lock while holding one of these, and a
 * finished fan-out round ({@link FanoutRound}) only submits a task.
 */
final class ChannelHub implements AutoCloseable {
    private final EdgeConfig config;
    private final MarketCatalog catalog;
    private final RedisMarketDataSubscriber subscriber;
    private final RedisMarketDataReader reader;
    private final EdgeMetrics metrics;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, named("edge-work"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("edge-timer"));
    /**
     * Handle each topic's upstream messages off the Redis pub/sub thread (see {@link Topic}): at most one task
     * per topic at a time, topics spread over the threads. One per core.
     */
    private final ExecutorService fanout = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), named("edge-fanout"));
    /** Hand connections' queued messages to Jetty (see {@link Outbox}); one per core. */
    private final ExecutorService writers = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), named("edge-writer"));
    private final Map<String, Topic> topics = new HashMap<>();

    ChannelHub(EdgeConfig config, MarketCatalog catalog, RedisMarketDataSubscriber subscriber,
               RedisMarketDataReader reader, EdgeMetrics metrics) {
        this.config = config;
        this.catalog = catalog;
        this.subscriber = subscriber;
        this.reader = reader;
        this.metrics = metrics;
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    EdgeConfig config() {
        return config;
    }

    EdgeMetrics metrics() {
        return metrics;
    }

    RedisMarketDataSubscriber subscriber() {
        return subscriber;
    }

    RedisMarketDataReader reader() {
        return reader;
    }

    ExecutorService executor() {
        return executor;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    ExecutorService fanout() {
        return fanout;
    }

    ExecutorService writers() {
        return writers;
    }

    /** Subscribes a connection to a book view; {@code since} resumes after that {@code u} (null: snapshot). */
    BookSub subscribeBook(Connection connection, Channels.BookView view, Long since) {
        BookTopic topic;
        BookSub sub;
        boolean fresh = false;
        synchronized (this) {
            topic = (BookTopic) topics.get(view.upstream());
            if (topic == null) {
                topic = new BookTopic(this, catalog.get(view.market()));
                topics.put(view.upstream(), topic);
                fresh = true;
            }
            synchronized (topic) {
                sub = topic.add(connection, view, since);
            }
        }
        if (fresh) {
            topic.start();
        }
        metrics.subscribed(sub.type, 1);
        return sub;
    }

    /** Subscribes a connection to a channel of whole messages; {@code since} resumes after that {@code seq}. */
    StreamSub subscribeStream(Connection connection, String channel, Long since) {
        StreamTopic topic;
        StreamSub sub;
        boolean fresh = false;
        synchronized (this) {
            topic = (StreamTopic) topics.get(channel);
            if (topic == null) {
                topic = new StreamTopic(this, channel);
                topics.put(channel, topic);
                fresh = true;
            }
            synchronized (topic) {
                sub = topic.add(connection, since);
            }
        }
        if (fresh) {
            topic.start();
        }
        metrics.subscribed(sub.type, 1);
        return sub;
    }

    /** Subscribes a connection to a replay channel (no resume: messages from now on). */
    ChannelSub subscribeReplay(Connection connection, String channel) {
        ReplayTopic topic;
        ChannelSub sub;
        boolean fresh = false;
        synchronized (this) {
            topic = (ReplayTopic) topics.get(channel);
            if (topic == null) {
                topic = new ReplayTopic(this, channel);
                topics.put(channel, topic);
                fresh = true;
            }
            synchronized (topic) {
                sub = topic.add(connection);
            }
        }
        if (fresh) {
            topic.start();
        }
        metrics.subscribed(sub.type, 1);
        return sub;
    }

    void unsubscribe(ChannelSub sub) {
        Topic topic = sub.topic();
        boolean last;
        synchronized (this) {
            synchronized (topic) {
                last = topic.remove(sub);
            }
            if (last && topics.get(topic.channel()) == topic) {
                topics.remove(topic.channel());
            }
        }
        metrics.subscribed(sub.type, -1);
        if (last) {
            topic.close();
        }
    }

    /** A topic could not start: its subscribers are told why and dropped. */
    void failed(Topic topic, String reason) {
        List<ChannelSub> subs;
        synchronized (this) {
            if (topics.get(topic.channel()) == topic) {
                topics.remove(topic.channel());
            }
            synchronized (topic) {
                subs = topic.subscribers();
            }
        }
        topic.close();
        for (ChannelSub sub : subs) {
            metrics.subscribed(sub.type, -1);
            sub.connection.subscriptionFailed(sub, reason);
        }
    }

    /** A connection caught up: each of its channels sends what it held back (on the executor). */
    void drained(List<ChannelSub> subs) {
        executor.execute(() -> {
            for (ChannelSub sub : subs) {
                Topic topic = sub.topic();
                synchronized (topic) {
                    topic.drained(sub);
                }
            }
        });
    }

    /** The topic of an upstream channel, if it has local subscribers (else null). */
    synchronized Topic topic(String channel) {
        return topics.get(channel);
    }

    /** Upstream channels with local subscribers. */
    synchronized int topics() {
        return topics.size();
    }

    @Override
    public void close() {
        List<Topic> all;
        synchronized (this) {
            all = List.copyOf(topics.values());
            topics.clear();
        }
        all.forEach(Topic::close);
        timer.shutdownNow();
        executor.shutdownNow();
        fanout.shutdownNow();
        writers.shutdownNow();
    }
}
