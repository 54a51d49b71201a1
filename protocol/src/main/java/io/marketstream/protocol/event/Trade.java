package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/**
 * A match between a resting maker order and an incoming taker order at the maker's price.
 * {@code takerSide} is the aggressor's side; the maker's quantity at {@code price} on the other side
 * of the book shrinks by {@code qty}. {@code tradeId} increases by one per trade within a market.
 */
public record Trade(String market, long seq, String commandId, long ts, long tradeId, String price, String qty,
                    Side takerSide, long makerOrderId, long takerOrderId, long makerAccount, long takerAccount)
        implements EngineEvent {
}
