package io.marketstream.protocol.event;

import io.marketstream.protocol.Side;

/**
 * A match between a resting maker order and an incoming taker order at the maker's price.
 * {@code takerSide} is the aggressor's side; the maker's quantity at {@code price} on the other side
 * of the book shrinks by {@code qty}. {@code tradeId} increases by one per trade within a market.
 *
 * <p>{@code quoteQty} is price × qty in the quote asset. Each side pays its fee in the asset it
 * receives (the buyer in base, the seller in quote), to the market's fee account:
 * {@code makerFee}/{@code makerFeeAsset} and {@code takerFee}/{@code takerFeeAsset}.
 */
public record Trade(String market, long seq, String commandId, long ts, long tradeId, String price, String qty,
                    String quoteQty, Side takerSide, long makerOrderId, long takerOrderId, long makerAccount,
                    long takerAccount, String makerFee, String makerFeeAsset, String takerFee, String takerFeeAsset)
        implements EngineEvent {
    @Override
    public long[] accounts() {
        return makerAccount == takerAccount ? new long[] {makerAccount} : new long[] {makerAccount, takerAccount};
    }
}
