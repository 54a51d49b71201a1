package io.marketstream.protocol.command;

import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;

/**
 * Trade at once at the best prices available within the market's price band, sized either by
 * {@code qty} (base asset) or by {@code quoteAmount} (quote asset to spend on a buy, or to receive
 * on a sell): exactly one of the two. Whatever cannot fill (no liquidity in the band, or no more
 * funds) is cancelled.
 */
public record PlaceMarketOrder(String commandId, String market, long account, String clientOrderId,
                               Side side, String qty, String quoteAmount, SelfTradePrevention stp, long ts)
        implements OrderCommand {

    /** A market order sized in the base asset. */
    public PlaceMarketOrder(String commandId, String market, long account, String clientOrderId, Side side,
                            String qty, long ts) {
        this(commandId, market, account, clientOrderId, side, qty, null, null, ts);
    }
}
