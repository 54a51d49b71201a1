package io.marketstream.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.ScaledDecimal;
import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;
import io.marketstream.protocol.command.CancelAllOrders;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.command.ReduceOrder;
import io.marketstream.protocol.command.Withdraw;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;

/**
 * A deliberately simple model of one market, written from the rules in docs/engine.md rather than
 * from the engine's code: the book is one list of orders scanned in full for the best match, a
 * balance is four numbers in a map. Slow and obvious, so that a disagreement with
 * {@link MatchingEngine} points at a bug in one of them. Rejections are compared by reason only
 * (their messages are prose).
 */
final class ReferenceExchange {
    private final MarketSpec spec;
    private final List<Order> book = new ArrayList<>();
    /** account → {base available, base locked, quote available, quote locked}. */
    private final Map<Long, long[]> balances = new HashMap<>();
    private final Map<Long, Integer> touched = new LinkedHashMap<>();
    private final List<EngineEvent> out = new ArrayList<>();
    private long seq;
    private long nextOrderId = 1;
    private long nextTradeId = 1;
    private long last;
    private OrderCommand cmd;
    private long ts;

    private static final class Order {
        long id;
        long account;
        String clientOrderId;
        Side side;
        long price;
        long qty;
    }

    ReferenceExchange(MarketSpec spec) {
        this.spec = spec;
    }

    List<EngineEvent> process(OrderCommand command, long ts) {
        out.clear();
        touched.clear();
        this.cmd = command;
        this.ts = ts;
        if (command instanceof PlaceLimitOrder c) {
            limit(c);
        } else if (command instanceof PlaceMarketOrder c) {
            market(c);
        } else if (command instanceof CancelOrder c) {
            Order o = find(c.orderId());
            if (o == null) {
                reject(RejectReason.UNKNOWN_ORDER);
            } else if (o.account != c.account()) {
                reject(RejectReason.NOT_ORDER_OWNER);
            } else {
                cancelResting(o, CancelReason.USER);
            }
        } else if (command instanceof CancelAllOrders c) {
            if (!balances.containsKey(c.account())) {
                reject(RejectReason.UNKNOWN_ACCOUNT);
            } else {
                List<Order> mine = book.stream().filter(o -> o.account == c.account())
                        .sorted(Comparator.comparingLong(o -> o.id)).toList();
                if (mine.isEmpty()) {
                    reject(RejectReason.UNKNOWN_ORDER);
                }
                mine.forEach(o -> cancelResting(o, CancelReason.USER));
            }
        } else if (command instanceof ReduceOrder c) {
            reduce(c);
        } else if (command instanceof Deposit c) {
            funds(c.asset(), c.amount(), true);
        } else if (command instanceof Withdraw c) {
            funds(c.asset(), c.amount(), false);
        }
        for (Map.Entry<Long, Integer> e : touched.entrySet()) {
            long[] b = balances.get(e.getKey());
            if ((e.getValue() & 1) != 0) {
                out.add(new BalanceChanged(spec.symbol(), ++seq, cmd.commandId(), ts, e.getKey(), spec.base(),
                        spec.formatQty(b[0]), spec.formatQty(b[1])));
            }
            if ((e.getValue() & 2) != 0) {
                out.add(new BalanceChanged(spec.symbol(), ++seq, cmd.commandId(), ts, e.getKey(), spec.quote(),
                        spec.formatQuote(b[2]), spec.formatQuote(b[3])));
            }
        }
        return List.copyOf(out);
    }

    private void limit(PlaceLimitOrder c) {
        long[] bal = balances.get(c.account());
        if (bal == null) {
            reject(RejectReason.UNKNOWN_ACCOUNT);
            return;
        }
        Long price = decimal(c.price(), spec.priceScale());
        Long qty = decimal(c.qty(), spec.qtyScale());
        if (price == null || price <= 0) {
            reject(RejectReason.INVALID_PRICE);
        } else if (price > spec.maxPrice()) {
            reject(RejectReason.PRICE_TOO_HIGH);
        } else if (price % spec.tickSize() != 0) {
            reject(RejectReason.PRICE_NOT_ON_TICK);
        } else if (qtyReason(qty) != null) {
            reject(qtyReason(qty));
        } else if (price * qty < spec.minNotional()) {
            reject(RejectReason.NOTIONAL_BELOW_MINIMUM);
        } else if (last > 0 && spec.priceBandBps() > 0
                && Math.abs(price - last) * 10_000 > last * spec.priceBandBps()) {
            reject(RejectReason.PRICE_OUTSIDE_BAND);
        } else if (c.clientOrderId() != null && book.stream().anyMatch(
                o -> o.account == c.account() && c.clientOrderId().equals(o.clientOrderId))) {
            reject(RejectReason.DUPLICATE_CLIENT_ORDER_ID);
        } else if (c.isPostOnly() && c.timeInForce() != TimeInForce.GTC) {
            reject(RejectReason.INVALID_COMMAND);
        } else if (c.isPostOnly() && best(c.side(), price) != null) {
            reject(RejectReason.POST_ONLY_WOULD_TAKE);
        } else if (c.side() == Side.BUY ? bal[2] < price * qty : bal[0] < qty) {
            reject(RejectReason.INSUFFICIENT_FUNDS);
        } else {
            long id = nextOrderId++;
            if (c.side() == Side.BUY) {
                move(bal, 2, 3, price * qty, c.account(), 2);
            } else {
                move(bal, 0, 1, qty, c.account(), 1);
            }
            out.add(new OrderAccepted(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.clientOrderId(),
                    OrderType.LIMIT, c.side(), spec.formatPrice(price), spec.formatQty(qty), null, c.timeInForce(),
                    c.isPostOnly()));
            SelfTradePrevention stp = c.stp() == null ? spec.selfTradePrevention() : c.stp();
            if (c.timeInForce() == TimeInForce.FOK && !canFill(c.side(), price, qty, c.account(), stp)) {
                release(c.account(), c.side(), price, qty);
                out.add(new OrderCancelled(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.side(),
                        spec.formatPrice(price), spec.formatQty(qty), false, CancelReason.FILL_OR_KILL));
                return;
            }
            long[] left = {qty, Long.MAX_VALUE};
            String stop = sweep(id, c.account(), c.side(), price, stp, true, left);
            if (left[0] == 0) {
                return;
            }
            if (stop.equals("self") || c.timeInForce() != TimeInForce.GTC) {
                release(c.account(), c.side(), price, left[0]);
                out.add(new OrderCancelled(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.side(),
                        spec.formatPrice(price), spec.formatQty(left[0]), false, stop.equals("self")
                        ? CancelReason.SELF_TRADE : c.timeInForce() == TimeInForce.IOC
                        ? CancelReason.IMMEDIATE_OR_CANCEL : CancelReason.FILL_OR_KILL));
                return;
            }
            Order o = new Order();
            o.id = id;
            o.account = c.account();
            o.clientOrderId = c.clientOrderId();
            o.side = c.side();
            o.price = price;
            o.qty = left[0];
            book.add(o);
            out.add(new OrderRested(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.side(),
                    spec.formatPrice(price), spec.formatQty(left[0])));
        }
    }

    private void market(PlaceMarketOrder c) {
        long[] bal = balances.get(c.account());
        if (bal == null) {
            reject(RejectReason.UNKNOWN_ACCOUNT);
            return;
        }
        boolean byQty = c.qty() != null;
        Long qty = byQty ? decimal(c.qty(), spec.qtyScale()) : null;
        Long quote = byQty ? null : decimal(c.quoteAmount(), spec.quoteScale());
        if (byQty == (c.quoteAmount() != null)) {
            reject(RejectReason.INVALID_COMMAND);
        } else if (byQty && qtyReason(qty) != null) {
            reject(qtyReason(qty));
        } else if (!byQty && (quote == null || quote <= 0)) {
            reject(RejectReason.INVALID_QUANTITY);
        } else if (!byQty && quote > spec.maxPrice() * spec.maxQty()) {
            reject(RejectReason.QUANTITY_TOO_LARGE);
        } else if (!byQty && quote < spec.minNotional()) {
            reject(RejectReason.NOTIONAL_BELOW_MINIMUM);
        } else if (c.clientOrderId() != null && book.stream().anyMatch(
                o -> o.account == c.account() && c.clientOrderId().equals(o.clientOrderId))) {
            reject(RejectReason.DUPLICATE_CLIENT_ORDER_ID);
        } else if (c.side() == Side.BUY ? bal[2] == 0 : bal[0] == 0) {
            reject(RejectReason.INSUFFICIENT_FUNDS);
        } else {
            long id = nextOrderId++;
            out.add(new OrderAccepted(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.clientOrderId(),
                    OrderType.MARKET, c.side(), null, byQty ? spec.formatQty(qty) : null,
                    byQty ? null : spec.formatQuote(quote), null, false));
            long band = last * spec.priceBandBps() / 10_000;
            boolean banded = last > 0 && spec.priceBandBps() > 0;
            long limit = c.side() == Side.BUY ? (banded ? last + band : Long.MAX_VALUE) : (banded ? last - band : 0);
            long[] left = {byQty ? qty : Long.MAX_VALUE, byQty ? Long.MAX_VALUE : quote};
            String stop = sweep(id, c.account(), c.side(), limit,
                    c.stp() == null ? spec.selfTradePrevention() : c.stp(), false, left);
            if (!stop.equals("done")) {
                out.add(new OrderCancelled(spec.symbol(), ++seq, c.commandId(), ts, id, c.account(), c.side(), null,
                        byQty ? spec.formatQty(left[0]) : null, false, stop.equals("self") ? CancelReason.SELF_TRADE
                        : stop.equals("funds") ? CancelReason.INSUFFICIENT_FUNDS : CancelReason.NO_LIQUIDITY));
            }
        }
    }

    /** Matches until done; left = {quantity, quote}; returns done, self, funds or liquidity. */
    private String sweep(long id, long account, Side side, long limit, SelfTradePrevention stp, boolean locked,
                         long[] left) {
        while (left[0] > 0) {
            Order maker = best(side, limit);
            if (maker == null) {
                return "liquidity";
            }
            if (maker.account == account) {
                if (stp == SelfTradePrevention.CANCEL_NEWEST) {
                    return "self";
                }
                cancelResting(maker, CancelReason.SELF_TRADE);
                if (stp == SelfTradePrevention.CANCEL_BOTH) {
                    return "self";
                }
                continue;
            }
            long q = Math.min(left[0], maker.qty);
            long[] mine = balances.get(account);
            if (!locked) {
                if (left[1] != Long.MAX_VALUE) {
                    long byQuote = left[1] / maker.price;
                    q = Math.min(q, byQuote - byQuote % spec.lotSize());
                    if (q == 0) {
                        return "done";
                    }
                }
                long can = side == Side.BUY ? mine[2] / maker.price : mine[0];
                q = Math.min(q, can - can % spec.lotSize());
                if (q == 0) {
                    return "funds";
                }
            }
            long n = maker.price * q;
            boolean takerBuys = side == Side.BUY;
            long[] buyer = takerBuys ? mine : balances.get(maker.account);
            long[] seller = takerBuys ? balances.get(maker.account) : mine;
            long buyerFee = MarketMatcher.fee(q, takerBuys ? spec.takerFeeBps() : spec.makerFeeBps());
            long sellerFee = MarketMatcher.fee(n, takerBuys ? spec.makerFeeBps() : spec.takerFeeBps());
            if (takerBuys) {
                if (locked) {
                    buyer[3] -= limit * q;
                    buyer[2] += (limit - maker.price) * q;
                } else {
                    buyer[2] -= n;
                }
                seller[1] -= q;
            } else {
                buyer[3] -= n;
                if (locked) {
                    seller[1] -= q;
                } else {
                    seller[0] -= q;
                }
            }
            buyer[0] += q - buyerFee;
            seller[2] += n - sellerFee;
            long buyerId = takerBuys ? account : maker.account;
            long sellerId = takerBuys ? maker.account : account;
            touch(buyerId, 3);
            touch(sellerId, 3);
            if (buyerFee > 0 || sellerFee > 0) {
                long[] fees = balances.computeIfAbsent(spec.feeAccount(), k -> new long[4]);
                fees[0] += buyerFee;
                fees[2] += sellerFee;
                touch(spec.feeAccount(), (buyerFee > 0 ? 1 : 0) | (sellerFee > 0 ? 2 : 0));
            }
            maker.qty -= q;
            if (maker.qty == 0) {
                book.remove(maker);
            }
            left[0] -= q;
            if (left[1] != Long.MAX_VALUE) {
                left[1] -= n;
            }
            last = maker.price;
            String bf = spec.formatQty(buyerFee);
            String sf = spec.formatQuote(sellerFee);
            out.add(new Trade(spec.symbol(), ++seq, cmd.commandId(), ts, nextTradeId++, spec.formatPrice(maker.price),
                    spec.formatQty(q), spec.formatQuote(n), side, maker.id, id, maker.account, account,
                    takerBuys ? sf : bf, takerBuys ? spec.quote() : spec.base(), takerBuys ? bf : sf,
                    takerBuys ? spec.base() : spec.quote()));
        }
        return "done";
    }

    private boolean canFill(Side side, long limit, long qty, long account, SelfTradePrevention stp) {
        List<Order> makers = book.stream().filter(o -> o.side != side && (side == Side.BUY ? o.price <= limit
                : o.price >= limit)).sorted(priority(side)).toList();
        long sum = 0;
        for (Order o : makers) {
            if (o.account == account) {
                if (stp != SelfTradePrevention.CANCEL_OLDEST) {
                    break;
                }
                continue;
            }
            sum += o.qty;
        }
        return sum >= qty;
    }

    private Order best(Side takerSide, long limit) {
        return book.stream().filter(o -> o.side != takerSide
                        && (takerSide == Side.BUY ? o.price <= limit : o.price >= limit))
                .min(priority(takerSide)).orElse(null);
    }

    private static Comparator<Order> priority(Side takerSide) {
        Comparator<Order> byPrice = Comparator.comparingLong(o -> o.price);
        return (takerSide == Side.BUY ? byPrice : byPrice.reversed()).thenComparingLong(o -> o.id);
    }

    private void reduce(ReduceOrder c) {
        Long by = decimal(c.reduceBy(), spec.qtyScale());
        RejectReason bad = by == null || by <= 0 ? RejectReason.INVALID_QUANTITY : by > spec.maxQty()
                ? RejectReason.QUANTITY_TOO_LARGE : by % spec.lotSize() != 0 ? RejectReason.QUANTITY_NOT_ON_LOT : null;
        Order o = find(c.orderId());
        if (bad != null) {
            reject(bad);
        } else if (o == null) {
            reject(RejectReason.UNKNOWN_ORDER);
        } else if (o.account != c.account()) {
            reject(RejectReason.NOT_ORDER_OWNER);
        } else if (by >= o.qty) {
            reject(RejectReason.REDUCE_NOT_BELOW_REMAINING);
        } else {
            o.qty -= by;
            release(o.account, o.side, o.price, by);
            out.add(new OrderReduced(spec.symbol(), ++seq, cmd.commandId(), ts, o.id, o.account, o.side,
                    spec.formatPrice(o.price), spec.formatQty(by), spec.formatQty(o.qty)));
        }
    }

    private void funds(String asset, String text, boolean deposit) {
        long[] bal = balances.get(cmd.account());
        if (!deposit && bal == null) {
            reject(RejectReason.UNKNOWN_ACCOUNT);
            return;
        }
        int scale = spec.assetScale(asset);
        Long amount = scale < 0 ? null : decimal(text, scale);
        int slot = spec.base().equals(asset) ? 0 : 2;
        if (scale < 0) {
            reject(RejectReason.UNKNOWN_ASSET);
        } else if (amount == null || amount <= 0) {
            reject(RejectReason.INVALID_AMOUNT);
        } else if (!deposit && bal[slot] < amount) {
            reject(RejectReason.INSUFFICIENT_FUNDS);
        } else {
            balances.computeIfAbsent(cmd.account(), k -> new long[4])[slot] += deposit ? amount : -amount;
            touch(cmd.account(), slot == 0 ? 1 : 2);
        }
    }

    private void cancelResting(Order o, CancelReason reason) {
        book.remove(o);
        release(o.account, o.side, o.price, o.qty);
        out.add(new OrderCancelled(spec.symbol(), ++seq, cmd.commandId(), ts, o.id, o.account, o.side,
                spec.formatPrice(o.price), spec.formatQty(o.qty), true, reason));
    }

    private void release(long account, Side side, long price, long qty) {
        long[] b = balances.get(account);
        if (side == Side.BUY) {
            move(b, 3, 2, price * qty, account, 2);
        } else {
            move(b, 1, 0, qty, account, 1);
        }
    }

    private void move(long[] b, int from, int to, long amount, long account, int asset) {
        b[from] -= amount;
        b[to] += amount;
        touch(account, asset);
    }

    private void touch(long account, int assets) {
        touched.merge(account, assets, (a, b) -> a | b);
    }

    private Order find(long id) {
        return book.stream().filter(o -> o.id == id).findFirst().orElse(null);
    }

    private RejectReason qtyReason(Long qty) {
        if (qty == null || qty <= 0) {
            return RejectReason.INVALID_QUANTITY;
        }
        if (qty > spec.maxQty()) {
            return RejectReason.QUANTITY_TOO_LARGE;
        }
        if (qty % spec.lotSize() != 0) {
            return RejectReason.QUANTITY_NOT_ON_LOT;
        }
        return qty < spec.minQty() ? RejectReason.QUANTITY_BELOW_MINIMUM : null;
    }

    private static Long decimal(String text, int scale) {
        try {
            return ScaledDecimal.parse(text, scale);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void reject(RejectReason reason) {
        out.add(new OrderRejected(spec.symbol(), ++seq, cmd.commandId(), ts, cmd.account(), cmd.clientOrderId(),
                reason, "(reference)"));
    }
}
