package io.marketstream.client;

import java.net.URI;

import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.GapMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;

/**
 * Every callback of a {@link MarketDataClient}: the book ones of {@link BookListener}, the other channels,
 * and the state of the connection. All methods have empty defaults; implement those you need.
 *
 * <p>Threading: channel messages, replies and notices of one connection arrive one at a time, in the
 * order the edge sent them, on a Jetty thread; connection-state callbacks may come from Jetty's scheduler
 * thread. A callback must not block (hand work to your own executor): the connection reads its next
 * frame only after the callback returns. An exception thrown by a callback is logged and does not affect
 * the client.
 */
public interface MarketDataListener extends BookListener {
    /** The latest 24 h ticker of a market (every message is the whole state). */
    default void onTicker(TickerMessage ticker) {
    }

    /** The current state of a candle; the latest for an open time is the candle, final once {@code closed}. */
    default void onKline(KlineMessage kline) {
    }

    /** An engine event of one of the authenticated account's orders ({@code orders.<account>}). */
    default void onOrderUpdate(AccountMessage update) {
    }

    /** A balance change of the authenticated account ({@code balances.<account>}). */
    default void onBalanceUpdate(AccountMessage update) {
    }

    /**
     * The edge announced that messages of a channel were left out ({@link GapMessage#reason()}: the client
     * was slow, or a resume reached past the history). Trades in {@code from}..{@code to} are lost to this
     * connection (REST {@code /api/v1/trades} still has the latest ones); ticker and candle messages are
     * whole states, so the next one is complete again.
     */
    default void onGap(GapMessage gap) {
    }

    /** The edge refused a request, or told of a problem unasked. */
    default void onError(EdgeError error) {
    }

    /**
     * A connection to {@code endpoint} is open and the subscriptions are being sent (with their resume
     * positions when {@code resumed}).
     *
     * @param resumed whether this is a reconnection (the client had been connected before)
     */
    default void onConnected(URI endpoint, boolean resumed) {
    }

    /**
     * The connection to {@code endpoint} is gone (a close by either side, a network failure, a drain
     * notice, a heartbeat timeout), or an attempt to open one failed ({@code code} 1006). Unless the client
     * was closed, it connects again after a back-off.
     */
    default void onDisconnected(URI endpoint, int code, String reason) {
    }

    /** The edge accepted the token: private channels are for {@code account}. */
    default void onAuthenticated(long account) {
    }
}
