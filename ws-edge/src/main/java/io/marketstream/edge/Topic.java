package io.marketstream.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.redis.MarketDataListener;
import io.marketstream.redis.RedisMarketDataSubscriber.Subscription;

/**
 * One upstream channel (as published in Redis) on this node, shared by every local subscriber: one
 * Redis subscription, made when the first subscriber arrives and dropped after the last leaves.
 *
 * <p>Threading: everything a topic holds is guarded by its monitor. Redis delivers on the pub/sub
 * connection's thread, which only appends the message to the topic's inbox; one of the hub's fan-out
 * threads then takes everything in the inbox at once and handles it under the monitor (at most one
 * such task per topic at a time, so a channel's messages are handled in publication order, and the
 * pub/sub thread never waits for a fan-out: every channel of the node keeps being read while one book
 * fans out). Timers and Redis reads run on the hub's threads and take the monitor too. Blocking Redis
 * reads happen outside the monitor; while one is under way, messages arriving are held and handled
 * after it, in order.
 *
 * <p>What the inbox held at once is handed to {@link #receive} together: a topic that fell behind sees
 * several messages there and may merge them ({@link BookTopic} does, losslessly; streams of trades
 * never do).
 */
abstract class Topic implements MarketDataListener {
    private static final Logger log = LoggerFactory.getLogger(Topic.class);
    /** Messages held while loading or recovering; past this the topic reloads from a snapshot instead. */
    static final int MAX_HELD = 100_000;

    enum State { STARTING, LIVE, RECOVERING, CLOSED }

    protected final ChannelHub hub;
    protected final String channel;
    protected State state = State.STARTING;
    protected final List<String> held = new ArrayList<>();
    private Subscription redisSubscription;
    /** Messages from Redis not yet handled, oldest first (appended on the pub/sub thread). */
    private final ConcurrentLinkedQueue<String> inbox = new ConcurrentLinkedQueue<>();
    /**
     * A fan-out task has been asked to empty {@link #inbox}, or is waiting for {@link #round} to be done (which
     * asks for one then): either way, a message that arrives needs nothing more than to be queued.
     */
    private final AtomicBoolean draining = new AtomicBoolean();
    /**
     * The last fan-outs, possibly still being handed to Jetty by the writers (null if none yet): the next one
     * waits for {@link #earlier}, so that at most two are under way (the writers have the next round's work
     * queued while they finish one, and a connection's write carries at most two of them).
     */
    private volatile FanoutRound round;
    private volatile FanoutRound earlier;
    /** How long the next fan-out waits at most for the one before the last to be handed to Jetty (a safety net). */
    static final long MAX_ROUND_WAIT_MILLIS = 500;

    Topic(ChannelHub hub, String channel) {
        this.hub = hub;
        this.channel = channel;
    }

    String channel() {
        return channel;
    }

    /** Subscribes in Redis; once confirmed, {@link #load()} runs on the hub's executor, then {@link #goLive()}. */
    void start() {
        hub.subscriber().subscribe(channel, this).whenComplete((subscription, error) -> hub.executor().execute(() -> {
            synchronized (this) {
                redisSubscription = subscription;
                if (state == State.CLOSED) {
                    if (subscription != null) {
                        subscription.close();
                    }
                    return;
                }
            }
            if (error != null) {
                log.warn("Redis subscription to {} failed", channel, error);
                hub.failed(this, "cannot subscribe to " + channel + " now (market data store unreachable); subscribe again later");
                return;
            }
            try {
                Object loaded = load();
                synchronized (this) {
                    if (state == State.CLOSED) {
                        return;
                    }
                    goLive(loaded);
                }
            } catch (RuntimeException e) {
                log.warn("Loading {} failed", channel, e);
                hub.failed(this, "cannot read " + channel + " now; subscribe again later");
            }
        }));
    }

    /** Reads what the topic needs before going live (outside the monitor). */
    protected abstract Object load();

    /** Takes the loaded state, handles the held messages, serves waiting subscribers (under the monitor). */
    protected abstract void goLive(Object loaded);

    /** One upstream message while live (under the monitor). */
    protected abstract void handle(String payload);

    /** A message could not be handled: the next recovery must not trust the topic's state. */
    protected void failedToHandle() {
    }

    /** Recovers after a gap: read what was missed (outside the monitor). */
    protected abstract Object readMissed();

    /** Applies what {@link #readMissed()} read, then the held messages (under the monitor). */
    protected abstract void applyMissed(Object missed);

    /** Messages received from Redis and not yet taken for handling: how far behind the topic is. */
    int inboxed() {
        return inbox.size();
    }

    /**
     * Whether this topic's messages are handled on the pub/sub thread itself, in the order Redis delivered them
     * across every channel, instead of on a fan-out thread. For low-volume channels whose order relative to other
     * channels matters (a replay session's {@code start} notice before its first trade).
     */
    protected boolean handledInDeliveryOrder() {
        return false;
    }

    /** On the pub/sub thread: queues the message and makes sure a fan-out thread will handle it. */
    @Override
    public final void onMessage(String ch, String payload) {
        if (handledInDeliveryOrder()) {
            synchronized (this) {
                receive(payload);
            }
            return;
        }
        inbox.add(payload);
        if (draining.compareAndSet(false, true)) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        try {
            hub.fanout().execute(this::drainInbox);
        } catch (RejectedExecutionException stopping) {
            draining.set(false);
        }
    }

    /**
     * Starts a fan-out round (see {@link FanoutRound}): until it is done, what arrives waits in the inbox, and
     * is handled together afterwards. Under the monitor; the caller seals it after its last send.
     */
    protected final FanoutRound newRound() {
        FanoutRound next = new FanoutRound();
        earlier = round;
        round = next;
        return next;
    }

    /** Handles what the inbox holds, in one go under the monitor; re-schedules itself if more arrived. */
    private void drainInbox() {
        FanoutRound last = earlier;
        long waitLeft = last == null ? 0
                : MAX_ROUND_WAIT_MILLIS - (System.nanoTime() - last.startedNanos) / 1_000_000;
        if (waitLeft > 0 && last.runWhenDone(this::scheduleDrain)) {
            // the writers are still handing the last fan-out to Jetty: wait for them (draining stays set, so
            // arriving messages only queue); should they take too long, go on anyway
            try {
                hub.timer().schedule(last::release, waitLeft, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                last.release();
            }
            return;
        }
        List<String> batch = new ArrayList<>();
        for (String payload = inbox.poll(); payload != null; payload = inbox.poll()) {
            batch.add(payload);
        }
        if (!batch.isEmpty()) {
            synchronized (this) {
                receive(batch);
            }
        }
        draining.set(false);
        // a message added after the poll above and before the flag was cleared found the flag set
        if (!inbox.isEmpty() && draining.compareAndSet(false, true)) {
            scheduleDrain();
        }
    }

    /**
     * Messages that were waiting in the inbox together, oldest first (under the monitor). By default each is
     * handled alone; more than one means the topic is behind.
     */
    protected void receive(List<String> payloads) {
        for (String payload : payloads) {
            receive(payload);
        }
    }

    /** One upstream message, whatever the state (under the monitor). */
    protected final void receive(String payload) {
        switch (state) {
            case LIVE -> {
                try {
                    handle(payload);
                } catch (RuntimeException e) {
                    log.error("Handling a message on {} failed; reloading the channel: {}", channel, payload, e);
                    failedToHandle();
                    recover();
                }
            }
            case STARTING, RECOVERING -> hold(payload);
            default -> { }
        }
    }

    protected void hold(String payload) {
        if (held.size() < MAX_HELD) {
            held.add(payload);
        }
    }

    /** Redis reconnected: messages published meanwhile were missed. */
    @Override
    public final void onResubscribed(String ch) {
        recover();
    }

    /** Starts recovering what was missed (a gap seen upstream, or a reconnect); no-op if already recovering. */
    protected final void recover() {
        synchronized (this) {
            if (state != State.LIVE) {
                return;
            }
            state = State.RECOVERING;
        }
        hub.executor().execute(() -> {
            Object missed;
            try {
                missed = readMissed();
            } catch (RuntimeException e) {
                log.warn("Recovering {} failed; retrying in a second", channel, e);
                synchronized (this) {
                    if (state == State.RECOVERING) {
                        state = State.LIVE;
                    }
                }
                hub.timer().schedule(this::recover, 1, java.util.concurrent.TimeUnit.SECONDS);
                return;
            }
            synchronized (this) {
                if (state != State.RECOVERING) {
                    return;
                }
                state = State.LIVE;
                applyMissed(missed);
            }
        });
    }

    /** Handles the held messages in order (under the monitor, state LIVE). */
    protected void drainHeld() {
        List<String> pending = new ArrayList<>(held);
        held.clear();
        for (String payload : pending) {
            if (state != State.LIVE) {
                held.addAll(pending.subList(pending.indexOf(payload), pending.size()));
                return;
            }
            handle(payload);
        }
    }

    /** Drops the Redis subscription (the hub calls it when the last subscriber left). */
    void close() {
        Subscription subscription;
        synchronized (this) {
            state = State.CLOSED;
            held.clear();
            inbox.clear();
            subscription = redisSubscription;
            redisSubscription = null;
        }
        if (subscription != null) {
            subscription.close();
        }
    }

    abstract boolean isEmpty();

    /** Removes a subscriber; returns true if it was the last. */
    abstract boolean remove(ChannelSub sub);

    /** The connection has caught up: send what was held back for this subscriber (under the monitor). */
    abstract void drained(ChannelSub sub);

    /** Called with the reason when the topic could not start: each subscriber is told and dropped. */
    abstract List<ChannelSub> subscribers();
}
