package io.marketstream.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;

/**
 * The matching engine's state machine: every market's book and counters. {@link #process} turns
 * one command into its run of events.
 *
 * <p>Deterministic: the events depend only on the commands processed so far and their order (no
 * clock, no randomness, no iteration over unordered collections), so replaying the same commands
 * into a fresh engine reproduces the same events, {@code seq} for {@code seq}. Single-threaded.
 */
public final class MatchingEngine {
    private final MarketCatalog catalog;
    private final Map<String, MarketState> markets = new HashMap<>();

    public MatchingEngine(MarketCatalog catalog) {
        this.catalog = catalog;
        for (MarketSpec spec : catalog.all()) {
            markets.put(spec.symbol(), new MarketState(spec));
        }
    }

    /** One market's book and sequence counters. */
    private static final class MarketState {
        final MarketSpec spec;
        final OrderBook book = new OrderBook();
        long seq;
        long nextOrderId = 1;
        long nextTradeId = 1;

        MarketState(MarketSpec spec) {
            this.spec = spec;
        }
    }

    /**
     * Applies one command and returns the events it caused, in {@code seq} order. Never throws for
     * bad input: a command the engine cannot take yields an {@link OrderRejected} with a reason.
     *
     * @param ts the command's submission time (epoch ms), copied onto every event
     */
    public List<EngineEvent> process(OrderCommand command, long ts) {
        MarketState market = markets.get(command.market());
        if (market == null) {
            return List.of(rejectOutsideSequence(command, ts, RejectReason.UNKNOWN_MARKET,
                    "unknown market " + command.market()));
        }
        List<EngineEvent> out = new ArrayList<>(4);
        if (command instanceof PlaceLimitOrder limit) {
            placeLimit(market, limit, ts, out);
        } else if (command instanceof PlaceMarketOrder marketOrder) {
            placeMarket(market, marketOrder, ts, out);
        } else if (command instanceof CancelOrder cancel) {
            cancel(market, cancel, ts, out);
        }
        return out;
    }

    private void placeLimit(MarketState m, PlaceLimitOrder cmd, long ts, List<EngineEvent> out) {
        MarketSpec spec = m.spec;
        if (cmd.side() == null) {
            reject(m, cmd, ts, RejectReason.INVALID_COMMAND, "side is required", out);
            return;
        }
        long price;
        try {
            price = spec.parsePrice(cmd.price());
        } catch (NumberFormatException e) {
            reject(m, cmd, ts, RejectReason.INVALID_PRICE, "price: " + e.getMessage(), out);
            return;
        }
        if (price <= 0) {
            reject(m, cmd, ts, RejectReason.INVALID_PRICE, "price must be positive", out);
            return;
        }
        if (!spec.isOnTick(price)) {
            reject(m, cmd, ts, RejectReason.PRICE_NOT_ON_TICK,
                    "price must be a multiple of " + spec.formatPrice(spec.tickSize()), out);
            return;
        }
        Long qty = parseQty(m, cmd, cmd.qty(), ts, out);
        if (qty == null) {
            return;
        }
        long orderId = accept(m, cmd.commandId(), ts, cmd.account(), cmd.clientOrderId(), OrderType.LIMIT, cmd.side(),
                spec.formatPrice(price), qty, out);
        long left = fill(m, cmd.commandId(), ts, cmd.side(), price, qty, orderId, cmd.account(), out);
        if (left > 0) {
            m.book.add(new RestingOrder(orderId, cmd.account(), cmd.side(), price, left));
            out.add(new OrderRested(spec.symbol(), ++m.seq, cmd.commandId(), ts, orderId, cmd.account(),
                    cmd.side(), spec.formatPrice(price), spec.formatQty(left)));
        }
    }

    private void placeMarket(MarketState m, PlaceMarketOrder cmd, long ts, List<EngineEvent> out) {
        MarketSpec spec = m.spec;
        if (cmd.side() == null) {
            reject(m, cmd, ts, RejectReason.INVALID_COMMAND, "side is required", out);
            return;
        }
        Long qty = parseQty(m, cmd, cmd.qty(), ts, out);
        if (qty == null) {
            return;
        }
        long orderId = accept(m, cmd.commandId(), ts, cmd.account(), cmd.clientOrderId(), OrderType.MARKET,
                cmd.side(), null, qty, out);
        long anyPrice = cmd.side() == Side.BUY ? Long.MAX_VALUE : 0;
        long left = fill(m, cmd.commandId(), ts, cmd.side(), anyPrice, qty, orderId, cmd.account(), out);
        if (left > 0) {
            out.add(new OrderCancelled(spec.symbol(), ++m.seq, cmd.commandId(), ts, orderId, cmd.account(),
                    cmd.side(), null, spec.formatQty(left), false, CancelReason.NO_LIQUIDITY));
        }
    }

    private void cancel(MarketState m, CancelOrder cmd, long ts, List<EngineEvent> out) {
        RestingOrder order = m.book.find(cmd.orderId());
        if (order == null) {
            reject(m, cmd, ts, RejectReason.UNKNOWN_ORDER, "no open order " + cmd.orderId() + " in " + m.spec.symbol(), out);
            return;
        }
        if (order.account != cmd.account()) {
            reject(m, cmd, ts, RejectReason.NOT_ORDER_OWNER, "order " + cmd.orderId() + " belongs to another account", out);
            return;
        }
        m.book.remove(order.orderId);
        out.add(new OrderCancelled(m.spec.symbol(), ++m.seq, cmd.commandId(), ts, order.orderId, order.account,
                order.side, m.spec.formatPrice(order.price), m.spec.formatQty(order.remaining), true,
                CancelReason.USER));
    }

    /** Gives a validated order its id and emits its acceptance. */
    private static long accept(MarketState m, String commandId, long ts, long account, String clientOrderId,
                               OrderType type, Side side, String price, long qty, List<EngineEvent> out) {
        long orderId = m.nextOrderId++;
        out.add(new OrderAccepted(m.spec.symbol(), ++m.seq, commandId, ts, orderId, account, clientOrderId, type,
                side, price, m.spec.formatQty(qty), null, null, false));
        return orderId;
    }

    /** Matches and emits one trade per fill; returns the quantity left unfilled. */
    private long fill(MarketState m, String commandId, long ts, Side side, long limit, long qty,
                      long takerOrderId, long takerAccount, List<EngineEvent> out) {
        long left = qty;
        for (OrderBook.Fill f : m.book.match(side, limit, qty)) {
            left -= f.qty();
            out.add(new Trade(m.spec.symbol(), ++m.seq, commandId, ts, m.nextTradeId++, m.spec.formatPrice(f.price()),
                    m.spec.formatQty(f.qty()), m.spec.formatQuote(m.spec.notional(f.price(), f.qty())), side,
                    f.makerOrderId(), takerOrderId, f.makerAccount(), takerAccount, null, null, null, null));
        }
        return left;
    }

    private Long parseQty(MarketState m, OrderCommand cmd, String text, long ts, List<EngineEvent> out) {
        MarketSpec spec = m.spec;
        long qty;
        try {
            qty = spec.parseQty(text);
        } catch (NumberFormatException e) {
            reject(m, cmd, ts, RejectReason.INVALID_QUANTITY, "qty: " + e.getMessage(), out);
            return null;
        }
        if (qty <= 0) {
            reject(m, cmd, ts, RejectReason.INVALID_QUANTITY, "qty must be positive", out);
            return null;
        }
        if (!spec.isOnLot(qty)) {
            reject(m, cmd, ts, RejectReason.QUANTITY_NOT_ON_LOT,
                    "qty must be a multiple of " + spec.formatQty(spec.lotSize()), out);
            return null;
        }
        if (qty < spec.minQty()) {
            reject(m, cmd, ts, RejectReason.QUANTITY_BELOW_MINIMUM,
                    "qty must be at least " + spec.formatQty(spec.minQty()), out);
            return null;
        }
        return qty;
    }

    /**
     * A rejection that belongs to no market's sequence ({@code seq} 0), for a command the engine
     * cannot attribute to a market's order of events; the engine's state is unchanged.
     */
    public static OrderRejected rejectOutsideSequence(OrderCommand command, long ts, RejectReason reason,
                                                      String message) {
        return new OrderRejected(String.valueOf(command.market()), 0, command.commandId(), ts, command.account(),
                clientOrderId(command), reason, message);
    }

    private static void reject(MarketState m, OrderCommand cmd, long ts, RejectReason reason, String message,
                               List<EngineEvent> out) {
        out.add(new OrderRejected(m.spec.symbol(), ++m.seq, cmd.commandId(), ts, cmd.account(),
                clientOrderId(cmd), reason, message));
    }

    private static String clientOrderId(OrderCommand command) {
        if (command instanceof PlaceLimitOrder limit) {
            return limit.clientOrderId();
        }
        if (command instanceof PlaceMarketOrder market) {
            return market.clientOrderId();
        }
        return null;
    }

    /** Forgets a market's book and counters (before its commands are replayed from the start). */
    public void reset(String market) {
        markets.put(market, new MarketState(state(market).spec));
    }

    /** The aggregated levels of a market's side, best first: price to total quantity (scaled). */
    public NavigableMap<Long, Long> levels(String market, Side side) {
        return state(market).book.levels(side);
    }

    /** The last {@code seq} issued in a market (0 before its first event). */
    public long lastSeq(String market) {
        return state(market).seq;
    }

    public MarketCatalog catalog() {
        return catalog;
    }

    /** Runs every book's invariant check; throws {@link IllegalStateException} on the first broken one. */
    public void validateInternalState() {
        for (MarketState m : markets.values()) {
            m.book.validateInternalState();
        }
    }

    private MarketState state(String market) {
        MarketState m = markets.get(market);
        if (m == null) {
            throw new IllegalArgumentException("unknown market " + market);
        }
        return m;
    }
}
