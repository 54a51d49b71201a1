package io.marketstream.engine;

import java.util.List;

import io.marketstream.protocol.Side;

/**
 * One market's complete engine state in a canonical form: accounts in ascending id, orders in
 * ascending id (which, within a price level, is time priority, because an order joins its level's
 * queue once, on acceptance, and a reduction keeps its place). Equal states give equal snapshots,
 * and so equal JSON and an equal {@link MatchingEngine#stateHash hash}.
 */
public record MarketSnapshot(String market, long seq, long nextOrderId, long nextTradeId, long lastTradePrice,
                             long baseTotal, long quoteTotal, List<AccountState> accounts, List<OrderState> orders) {

    /** An account's balances, scaled. */
    public record AccountState(long account, long baseAvailable, long baseLocked, long quoteAvailable,
                               long quoteLocked) {
    }

    /** A resting order, scaled. */
    public record OrderState(long orderId, long account, String clientOrderId, Side side, long price,
                             long remaining) {
    }
}
