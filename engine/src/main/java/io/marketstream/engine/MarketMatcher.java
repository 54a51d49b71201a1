package io.marketstream.engine;

import java.util.List;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

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
 * One market: its book, its accounts' funds and its counters, and the rules that turn a command into
 * events. Every amount is a scaled long (see {@link MarketSpec}); decimal strings are parsed on the
 * way in and formatted on the way out.
 *
 * <p>Funds: an accepted limit order locks what it could spend (price × quantity of the quote for a
 * buy, the quantity of the base for a sell); each fill settles from the lock and the rest of a lock
 * is released when the order ends. A market order locks nothing: it completes within its command and
 * each fill is checked against the available balance. Each side pays its fee, rounded down, in the
 * asset it receives, to the market's fee account; so every asset's total over all accounts changes
 * only by deposits and withdrawals, and no balance ever goes negative ({@link #validateInternalState}).
 *
 * <p>Deterministic and single-threaded: nothing here reads a clock or iterates an unordered
 * collection into its output.
 */
final class MarketMatcher {
    /** Longest command id or client order id accepted. */
    static final int MAX_ID_LENGTH = 64;
    private static final int BASE = 1;
    private static final int QUOTE = 2;

    final MarketSpec spec;
    final OrderBook book = new OrderBook();
    final LongObjectHashMap<Account> accounts = new LongObjectHashMap<>();
    /** Open orders by (account, client order id), for the duplicate check. */
    final ClientOrderIndex clientIds = new ClientOrderIndex();
    long seq;
    long nextOrderId = 1;
    long nextTradeId = 1;
    /** Price of the last trade, 0 before the first: the centre of the price band. */
    long lastTradePrice;
    /** Deposits minus withdrawals of each asset: what all balances must add up to. */
    long baseTotal;
    long quoteTotal;

    /** Accounts (and which of their assets) the command in hand changed, in the order it changed them. */
    private Account[] touchedAccounts = new Account[8];
    private int[] touchedAssets = new int[8];
    private int touchedCount;
    private final DecimalCache prices;
    private final DecimalCache quantities;
    private final DecimalCache quotes;
    private final Taker taker = new Taker();
    private List<EngineEvent> out;
    private String commandId;
    private long ts;

    MarketMatcher(MarketSpec spec) {
        this.spec = spec;
        this.prices = new DecimalCache(spec.priceScale());
        this.quantities = new DecimalCache(spec.qtyScale());
        this.quotes = new DecimalCache(spec.quoteScale());
    }

    /** A new, empty account of this market. */
    Account newAccount(long id) {
        return new Account(id, clientIds);
    }

    private String fmtPrice(long price) {
        return prices.format(price);
    }

    private String fmtQty(long qty) {
        return quantities.format(qty);
    }

    /** A quote amount of an order or trade (notionals, fees: zero fees repeat on every trade). */
    private String fmtQuote(long amount) {
        return quotes.format(amount);
    }

    /** Applies one command, appending its events to {@code events}. */
    void process(OrderCommand command, long ts, List<EngineEvent> events) {
        this.out = events;
        this.ts = ts;
        this.commandId = command.commandId();
        try {
            if (commandId == null || commandId.isBlank()) {
                reject(command, RejectReason.INVALID_COMMAND, "commandId is required");
            } else if (commandId.length() > MAX_ID_LENGTH) {
                this.commandId = commandId.substring(0, MAX_ID_LENGTH);
                reject(command, RejectReason.FIELD_TOO_LONG, "commandId is longer than " + MAX_ID_LENGTH);
            } else if (command.clientOrderId() != null && command.clientOrderId().length() > MAX_ID_LENGTH) {
                reject(command, RejectReason.FIELD_TOO_LONG, "clientOrderId is longer than " + MAX_ID_LENGTH);
            } else if (command.account() < 0) {
                reject(command, RejectReason.UNKNOWN_ACCOUNT, "account ids are not negative");
            } else if (command instanceof PlaceLimitOrder limit) {
                placeLimit(limit);
            } else if (command instanceof PlaceMarketOrder market) {
                placeMarket(market);
            } else if (command instanceof CancelOrder cancel) {
                cancel(cancel);
            } else if (command instanceof CancelAllOrders cancelAll) {
                cancelAll(cancelAll);
            } else if (command instanceof ReduceOrder reduce) {
                reduce(reduce);
            } else if (command instanceof Deposit deposit) {
                deposit(deposit);
            } else if (command instanceof Withdraw withdraw) {
                withdraw(withdraw);
            }
            flushBalances();
        } finally {
            java.util.Arrays.fill(touchedAccounts, 0, touchedCount, null);
            touchedCount = 0;
            taker.account = null;
            this.out = null;
        }
    }

    // ----------------------------------------------------------------------------------- orders

    private void placeLimit(PlaceLimitOrder c) {
        Account account = knownAccount(c);
        if (account == null || !requireSide(c, c.side())) {
            return;
        }
        long price = price(c, c.price());
        long qty = price < 0 ? -1 : quantity(c, c.qty(), "qty");
        if (qty < 0) {
            return;
        }
        long notional = spec.notional(price, qty);
        if (notional < spec.minNotional()) {
            reject(c, RejectReason.NOTIONAL_BELOW_MINIMUM, "price × qty must be at least " + spec.formatQuote(spec.minNotional()));
            return;
        }
        if (!withinBand(price)) {
            reject(c, RejectReason.PRICE_OUTSIDE_BAND, "price must be within " + spec.priceBandBps()
                    + " bps of the last trade price " + fmtPrice(lastTradePrice));
            return;
        }
        if (isDuplicate(c, account)) {
            return;
        }
        TimeInForce tif = c.timeInForce();
        Side side = c.side();
        if (c.isPostOnly()) {
            if (tif != TimeInForce.GTC) {
                reject(c, RejectReason.INVALID_COMMAND, "a post-only order is good till cancelled");
                return;
            }
            PriceLevel best = book.best(side.opposite());
            if (best != null && OrderBook.acceptable(side, best.price, price)) {
                reject(c, RejectReason.POST_ONLY_WOULD_TAKE, "the order would trade at " + fmtPrice(best.price));
                return;
            }
        }
        boolean buy = side == Side.BUY;
        if (buy ? account.quoteAvailable < notional : account.baseAvailable < qty) {
            reject(c, RejectReason.INSUFFICIENT_FUNDS, "available " + (buy ? spec.quote() + " " + spec.formatQuote(
                    account.quoteAvailable) : spec.base() + " " + fmtQty(account.baseAvailable))
                    + " does not cover " + (buy ? spec.formatQuote(notional) : fmtQty(qty)));
            return;
        }
        long orderId = nextOrderId++;
        if (buy) {
            account.quoteAvailable -= notional;
            account.quoteLocked += notional;
        } else {
            account.baseAvailable -= qty;
            account.baseLocked += qty;
        }
        touch(account, buy ? QUOTE : BASE);
        out.add(new OrderAccepted(spec.symbol(), ++seq, commandId, ts, orderId, account.id, c.clientOrderId(),
                OrderType.LIMIT, side, fmtPrice(price), fmtQty(qty), null, tif, c.isPostOnly()));

        SelfTradePrevention stp = c.stp() != null ? c.stp() : spec.selfTradePrevention();
        Taker taker = this.taker.start(account, orderId, side, price, stp, true);
        taker.remainingQty = qty;
        if (tif == TimeInForce.FOK && book.fillable(side, price, qty, account.id,
                stp != SelfTradePrevention.CANCEL_OLDEST) < qty) {
            endTaker(taker, CancelReason.FILL_OR_KILL);
            return;
        }
        Stop stop = match(taker);
        if (taker.remainingQty == 0) {
            return;
        }
        if (stop == Stop.SELF_TRADE) {
            endTaker(taker, CancelReason.SELF_TRADE);
        } else if (tif == TimeInForce.GTC) {
            RestingOrder order = new RestingOrder(orderId, account, c.clientOrderId(), side, price, taker.remainingQty);
            book.add(order);
            account.addOpen(order);
            out.add(new OrderRested(spec.symbol(), ++seq, commandId, ts, orderId, account.id, side,
                    fmtPrice(price), fmtQty(taker.remainingQty)));
        } else {
            endTaker(taker, tif == TimeInForce.FOK ? CancelReason.FILL_OR_KILL : CancelReason.IMMEDIATE_OR_CANCEL);
        }
    }

    private void placeMarket(PlaceMarketOrder c) {
        Account account = knownAccount(c);
        if (account == null || !requireSide(c, c.side())) {
            return;
        }
        if ((c.qty() == null) == (c.quoteAmount() == null)) {
            reject(c, RejectReason.INVALID_COMMAND, "a market order has exactly one of qty and quoteAmount");
            return;
        }
        long qty = Long.MAX_VALUE;
        long quoteAmount = Long.MAX_VALUE;
        if (c.qty() != null) {
            qty = quantity(c, c.qty(), "qty");
            if (qty < 0) {
                return;
            }
        } else {
            quoteAmount = quoteAmount(c, c.quoteAmount());
            if (quoteAmount < 0) {
                return;
            }
        }
        if (isDuplicate(c, account)) {
            return;
        }
        Side side = c.side();
        if (side == Side.BUY ? account.quoteAvailable == 0 : account.baseAvailable == 0) {
            reject(c, RejectReason.INSUFFICIENT_FUNDS, "no available " + (side == Side.BUY ? spec.quote() : spec.base()));
            return;
        }
        long orderId = nextOrderId++;
        out.add(new OrderAccepted(spec.symbol(), ++seq, commandId, ts, orderId, account.id, c.clientOrderId(),
                OrderType.MARKET, side, null, c.qty() == null ? null : fmtQty(qty),
                c.quoteAmount() == null ? null : fmtQuote(quoteAmount), null, false));
        long limit = side == Side.BUY ? bandHigh() : bandLow();
        Taker taker = this.taker.start(account, orderId, side, limit,
                c.stp() != null ? c.stp() : spec.selfTradePrevention(), false);
        taker.remainingQty = qty;
        taker.remainingQuote = quoteAmount;
        Stop stop = match(taker);
        if (stop == Stop.DONE) {
            return;
        }
        CancelReason reason = switch (stop) {
            case SELF_TRADE -> CancelReason.SELF_TRADE;
            case NO_FUNDS -> CancelReason.INSUFFICIENT_FUNDS;
            default -> CancelReason.NO_LIQUIDITY;
        };
        out.add(new OrderCancelled(spec.symbol(), ++seq, commandId, ts, orderId, account.id, side, null,
                c.qty() == null ? null : fmtQty(taker.remainingQty), false, reason));
    }

    private void cancel(CancelOrder c) {
        RestingOrder order = book.find(c.orderId());
        if (order == null) {
            reject(c, RejectReason.UNKNOWN_ORDER, "no open order " + c.orderId() + " in " + spec.symbol());
        } else if (order.account != c.account()) {
            reject(c, RejectReason.NOT_ORDER_OWNER, "order " + c.orderId() + " belongs to another account");
        } else {
            cancelResting(order, CancelReason.USER);
        }
    }

    private void cancelAll(CancelAllOrders c) {
        Account account = knownAccount(c);
        if (account == null) {
            return;
        }
        if (account.openCount() == 0) {
            reject(c, RejectReason.UNKNOWN_ORDER, "account " + account.id + " has no open orders in " + spec.symbol());
            return;
        }
        for (RestingOrder order : account.openOrders()) {
            cancelResting(order, CancelReason.USER);
        }
    }

    private void reduce(ReduceOrder c) {
        long by = quantityStep(c, c.reduceBy(), "reduceBy");
        if (by < 0) {
            return;
        }
        RestingOrder order = book.find(c.orderId());
        if (order == null) {
            reject(c, RejectReason.UNKNOWN_ORDER, "no open order " + c.orderId() + " in " + spec.symbol());
            return;
        }
        if (order.account != c.account()) {
            reject(c, RejectReason.NOT_ORDER_OWNER, "order " + c.orderId() + " belongs to another account");
            return;
        }
        if (by >= order.remaining) {
            reject(c, RejectReason.REDUCE_NOT_BELOW_REMAINING, "order " + order.orderId + " has "
                    + fmtQty(order.remaining) + " open; cancel it to remove it all");
            return;
        }
        book.take(order, by);
        release(order.owner, order.side, order.price, by);
        out.add(new OrderReduced(spec.symbol(), ++seq, commandId, ts, order.orderId, order.account, order.side,
                fmtPrice(order.price), fmtQty(by), fmtQty(order.remaining)));
    }

    // ----------------------------------------------------------------------------------- funds

    private void deposit(Deposit c) {
        moveFunds(c, accounts.get(c.account()), c.asset(), c.amount(), true);
    }

    private void withdraw(Withdraw c) {
        Account account = knownAccount(c);
        if (account != null) {
            moveFunds(c, account, c.asset(), c.amount(), false);
        }
    }

    /**
     * Credits (a deposit, creating the account when {@code account} is null) or debits (a withdrawal,
     * from the available balance only) one of the market's assets.
     */
    private void moveFunds(OrderCommand c, Account account, String asset, String text, boolean deposit) {
        int scale = spec.assetScale(asset);
        if (scale < 0) {
            reject(c, RejectReason.UNKNOWN_ASSET, spec.symbol() + " holds " + spec.base() + " and " + spec.quote()
                    + ", not " + asset);
            return;
        }
        long amount = amount(c, text, scale);
        if (amount < 0) {
            return;
        }
        boolean base = spec.base().equals(asset);
        long available = account == null ? 0 : base ? account.baseAvailable : account.quoteAvailable;
        long total = base ? baseTotal : quoteTotal;
        if (deposit && (available > Long.MAX_VALUE - amount || total > Long.MAX_VALUE - amount)) {
            reject(c, RejectReason.INVALID_AMOUNT, "the deposit would overflow the " + asset + " balance");
            return;
        }
        if (!deposit && amount > available) {
            reject(c, RejectReason.INSUFFICIENT_FUNDS, "available " + asset + " is "
                    + ScaledDecimal.format(available, scale));
            return;
        }
        Account target = account != null ? account : accounts.getIfAbsentPutWithKey(c.account(), this::newAccount);
        long signed = deposit ? amount : -amount;
        if (base) {
            target.baseAvailable += signed;
            baseTotal += signed;
        } else {
            target.quoteAvailable += signed;
            quoteTotal += signed;
        }
        touch(target, base ? BASE : QUOTE);
    }

    // ----------------------------------------------------------------------------------- matching

    /** Why matching an incoming order stopped. */
    private enum Stop {
        /** Nothing left to fill (or, for a market order sized in quote, not enough left for a lot). */
        DONE,
        /** No resting order at an acceptable price. */
        NO_LIQUIDITY,
        /** Self-trade prevention cancels the incoming order. */
        SELF_TRADE,
        /** A market order cannot pay for the next lot. */
        NO_FUNDS
    }

    /**
     * The incoming order while it matches. One instance per market, reset by {@link #start} for each
     * incoming order (one command matches at a time), so placing an order allocates no taker.
     */
    private static final class Taker {
        Account account;
        long orderId;
        Side side;
        /** Worst acceptable price: the limit price, or the band's edge for a market order. */
        long limit;
        SelfTradePrevention stp;
        /** A limit order, whose funds were locked at {@link #limit} on acceptance. */
        boolean locked;
        long remainingQty;
        long remainingQuote;

        Taker start(Account account, long orderId, Side side, long limit, SelfTradePrevention stp, boolean locked) {
            this.account = account;
            this.orderId = orderId;
            this.side = side;
            this.limit = limit;
            this.stp = stp;
            this.locked = locked;
            this.remainingQty = 0;
            this.remainingQuote = Long.MAX_VALUE;
            return this;
        }
    }

    private Stop match(Taker t) {
        while (t.remainingQty > 0) {
            PriceLevel level = book.best(t.side.opposite());
            if (level == null || !OrderBook.acceptable(t.side, level.price, t.limit)) {
                return Stop.NO_LIQUIDITY;
            }
            RestingOrder maker = level.head();
            if (maker.account == t.account.id) {
                if (t.stp == SelfTradePrevention.CANCEL_NEWEST) {
                    return Stop.SELF_TRADE;
                }
                cancelResting(maker, CancelReason.SELF_TRADE);
                if (t.stp == SelfTradePrevention.CANCEL_BOTH) {
                    return Stop.SELF_TRADE;
                }
                continue;
            }
            long price = level.price;
            long qty = Math.min(t.remainingQty, maker.remaining);
            if (!t.locked) {
                if (t.remainingQuote != Long.MAX_VALUE) {
                    qty = Math.min(qty, lots(t.remainingQuote / price));
                    if (qty == 0) {
                        return Stop.DONE;
                    }
                }
                long affordable = t.side == Side.BUY ? t.account.quoteAvailable / price : t.account.baseAvailable;
                qty = Math.min(qty, lots(affordable));
                if (qty == 0) {
                    return Stop.NO_FUNDS;
                }
            }
            trade(t, maker, price, qty);
        }
        return Stop.DONE;
    }

    private void trade(Taker t, RestingOrder maker, long price, long qty) {
        long notional = spec.notional(price, qty);
        Account makerAccount = maker.owner;
        boolean takerBuys = t.side == Side.BUY;
        Account buyer = takerBuys ? t.account : makerAccount;
        Account seller = takerBuys ? makerAccount : t.account;
        long buyerFee = fee(qty, takerBuys ? spec.takerFeeBps() : spec.makerFeeBps());
        long sellerFee = fee(notional, takerBuys ? spec.makerFeeBps() : spec.takerFeeBps());

        if (takerBuys && !t.locked) {
            buyer.quoteAvailable -= notional;
        } else if (takerBuys) {
            buyer.quoteLocked -= spec.notional(t.limit, qty);
            buyer.quoteAvailable += spec.notional(t.limit - price, qty);
        } else {
            buyer.quoteLocked -= notional;
        }
        if (!takerBuys && !t.locked) {
            seller.baseAvailable -= qty;
        } else {
            seller.baseLocked -= qty;
        }
        buyer.baseAvailable += qty - buyerFee;
        seller.quoteAvailable += notional - sellerFee;
        touch(buyer, BASE | QUOTE);
        touch(seller, BASE | QUOTE);
        if (buyerFee > 0 || sellerFee > 0) {
            Account fees = accounts.getIfAbsentPutWithKey(spec.feeAccount(), this::newAccount);
            fees.baseAvailable += buyerFee;
            fees.quoteAvailable += sellerFee;
            touch(fees, (buyerFee > 0 ? BASE : 0) | (sellerFee > 0 ? QUOTE : 0));
        }

        book.take(maker, qty);
        if (maker.remaining == 0) {
            makerAccount.removeOpen(maker);
        }
        t.remainingQty -= qty;
        if (t.remainingQuote != Long.MAX_VALUE) {
            t.remainingQuote -= notional;
        }
        lastTradePrice = price;
        String buyerFeeText = fmtQty(buyerFee);
        String sellerFeeText = fmtQuote(sellerFee);
        out.add(new Trade(spec.symbol(), ++seq, commandId, ts, nextTradeId++, fmtPrice(price),
                fmtQty(qty), fmtQuote(notional), t.side, maker.orderId, t.orderId, maker.account,
                t.account.id, takerBuys ? sellerFeeText : buyerFeeText, takerBuys ? spec.quote() : spec.base(),
                takerBuys ? buyerFeeText : sellerFeeText, takerBuys ? spec.base() : spec.quote()));
    }

    /** Ends an incoming limit order that will not rest: releases its lock and says why. */
    private void endTaker(Taker t, CancelReason reason) {
        release(t.account, t.side, t.limit, t.remainingQty);
        out.add(new OrderCancelled(spec.symbol(), ++seq, commandId, ts, t.orderId, t.account.id, t.side,
                fmtPrice(t.limit), fmtQty(t.remainingQty), false, reason));
    }

    private void cancelResting(RestingOrder order, CancelReason reason) {
        book.remove(order.orderId);
        Account account = order.owner;
        account.removeOpen(order);
        release(account, order.side, order.price, order.remaining);
        out.add(new OrderCancelled(spec.symbol(), ++seq, commandId, ts, order.orderId, order.account, order.side,
                fmtPrice(order.price), fmtQty(order.remaining), true, reason));
    }

    /** Moves the lock of {@code qty} of an order at {@code price} back to available. */
    private void release(Account account, Side side, long price, long qty) {
        if (side == Side.BUY) {
            long amount = spec.notional(price, qty);
            account.quoteLocked -= amount;
            account.quoteAvailable += amount;
            touch(account, QUOTE);
        } else {
            account.baseLocked -= qty;
            account.baseAvailable += qty;
            touch(account, BASE);
        }
    }

    /** {@code bps} basis points of {@code amount}, rounded down, without overflowing. */
    static long fee(long amount, int bps) {
        return amount / 10_000 * bps + amount % 10_000 * bps / 10_000;
    }

    private long lots(long qty) {
        return qty - qty % spec.lotSize();
    }

    private boolean withinBand(long price) {
        if (spec.priceBandBps() == 0 || lastTradePrice == 0) {
            return true;
        }
        return Math.abs(price - lastTradePrice) * 10_000 <= lastTradePrice * spec.priceBandBps();
    }

    private long bandHigh() {
        return spec.priceBandBps() == 0 || lastTradePrice == 0 ? Long.MAX_VALUE
                : lastTradePrice + lastTradePrice * spec.priceBandBps() / 10_000;
    }

    private long bandLow() {
        return spec.priceBandBps() == 0 || lastTradePrice == 0 ? 0
                : lastTradePrice - lastTradePrice * spec.priceBandBps() / 10_000;
    }

    // ----------------------------------------------------------------------------------- validation

    private Account knownAccount(OrderCommand c) {
        Account account = accounts.get(c.account());
        if (account == null) {
            reject(c, RejectReason.UNKNOWN_ACCOUNT, "account " + c.account() + " has no funds in " + spec.symbol()
                    + " (deposit first)");
        }
        return account;
    }

    private boolean requireSide(OrderCommand c, Side side) {
        if (side == null) {
            reject(c, RejectReason.INVALID_COMMAND, "side is required");
            return false;
        }
        return true;
    }

    private boolean isDuplicate(OrderCommand c, Account account) {
        if (c.clientOrderId() != null && account.hasOpenClientOrderId(c.clientOrderId())) {
            reject(c, RejectReason.DUPLICATE_CLIENT_ORDER_ID, "an open order already has clientOrderId "
                    + c.clientOrderId());
            return true;
        }
        return false;
    }

    /** The scaled price, or -1 after rejecting the command. */
    private long price(OrderCommand c, String text) {
        long price;
        try {
            price = spec.parsePrice(text);
        } catch (NumberFormatException e) {
            reject(c, RejectReason.INVALID_PRICE, "price: " + e.getMessage());
            return -1;
        }
        if (price <= 0) {
            reject(c, RejectReason.INVALID_PRICE, "price must be positive");
        } else if (price > spec.maxPrice()) {
            reject(c, RejectReason.PRICE_TOO_HIGH, "price must be at most " + fmtPrice(spec.maxPrice()));
        } else if (!spec.isOnTick(price)) {
            reject(c, RejectReason.PRICE_NOT_ON_TICK, "price must be a multiple of " + fmtPrice(spec.tickSize()));
        } else {
            return price;
        }
        return -1;
    }

    /** An order quantity (lot, minimum and maximum checked), or -1 after rejecting the command. */
    private long quantity(OrderCommand c, String text, String field) {
        long qty = quantityStep(c, text, field);
        if (qty < 0) {
            return -1;
        }
        if (qty < spec.minQty()) {
            reject(c, RejectReason.QUANTITY_BELOW_MINIMUM, field + " must be at least " + fmtQty(spec.minQty()));
            return -1;
        }
        return qty;
    }

    /** A positive quantity on the lot and not above the maximum, or -1 after rejecting the command. */
    private long quantityStep(OrderCommand c, String text, String field) {
        long qty;
        try {
            qty = spec.parseQty(text);
        } catch (NumberFormatException e) {
            reject(c, RejectReason.INVALID_QUANTITY, field + ": " + e.getMessage());
            return -1;
        }
        if (qty <= 0) {
            reject(c, RejectReason.INVALID_QUANTITY, field + " must be positive");
        } else if (qty > spec.maxQty()) {
            reject(c, RejectReason.QUANTITY_TOO_LARGE, field + " must be at most " + fmtQty(spec.maxQty()));
        } else if (!spec.isOnLot(qty)) {
            reject(c, RejectReason.QUANTITY_NOT_ON_LOT, field + " must be a multiple of " + fmtQty(spec.lotSize()));
        } else {
            return qty;
        }
        return -1;
    }

    private long quoteAmount(OrderCommand c, String text) {
        long amount;
        try {
            amount = spec.parseQuote(text);
        } catch (NumberFormatException e) {
            reject(c, RejectReason.INVALID_QUANTITY, "quoteAmount: " + e.getMessage());
            return -1;
        }
        if (amount <= 0) {
            reject(c, RejectReason.INVALID_QUANTITY, "quoteAmount must be positive");
        } else if (amount > spec.notional(spec.maxPrice(), spec.maxQty())) {
            reject(c, RejectReason.QUANTITY_TOO_LARGE, "quoteAmount must be at most "
                    + spec.formatQuote(spec.notional(spec.maxPrice(), spec.maxQty())));
        } else if (amount < spec.minNotional()) {
            reject(c, RejectReason.NOTIONAL_BELOW_MINIMUM, "quoteAmount must be at least "
                    + spec.formatQuote(spec.minNotional()));
        } else {
            return amount;
        }
        return -1;
    }

    private long amount(OrderCommand c, String text, int scale) {
        long amount;
        try {
            amount = ScaledDecimal.parse(text, scale);
        } catch (NumberFormatException e) {
            reject(c, RejectReason.INVALID_AMOUNT, "amount: " + e.getMessage());
            return -1;
        }
        if (amount <= 0) {
            reject(c, RejectReason.INVALID_AMOUNT, "amount must be positive");
            return -1;
        }
        return amount;
    }

    private void reject(OrderCommand c, RejectReason reason, String message) {
        out.add(new OrderRejected(spec.symbol(), ++seq, commandId, ts, c.account(), truncate(c.clientOrderId()),
                reason, message));
    }

    private static String truncate(String id) {
        return id != null && id.length() > MAX_ID_LENGTH ? id.substring(0, MAX_ID_LENGTH) : id;
    }

    // ----------------------------------------------------------------------------------- balances out

    private void touch(Account account, int assets) {
        for (int i = 0; i < touchedCount; i++) {
            if (touchedAccounts[i] == account) {
                touchedAssets[i] |= assets;
                return;
            }
        }
        if (touchedCount == touchedAccounts.length) {
            touchedAccounts = java.util.Arrays.copyOf(touchedAccounts, touchedCount * 2);
            touchedAssets = java.util.Arrays.copyOf(touchedAssets, touchedCount * 2);
        }
        touchedAccounts[touchedCount] = account;
        touchedAssets[touchedCount++] = assets;
    }

    /**
     * One {@link BalanceChanged} per account and asset the command changed, after its other events:
     * balances seldom repeat, so they go out as scaled longs, formatted only where they are read.
     */
    private void flushBalances() {
        for (int i = 0; i < touchedCount; i++) {
            Account account = touchedAccounts[i];
            if ((touchedAssets[i] & BASE) != 0) {
                out.add(BalanceChanged.scaled(spec.symbol(), ++seq, commandId, ts, account.id, spec.base(),
                        account.baseAvailable, account.baseLocked, spec.qtyScale()));
            }
            if ((touchedAssets[i] & QUOTE) != 0) {
                out.add(BalanceChanged.scaled(spec.symbol(), ++seq, commandId, ts, account.id, spec.quote(),
                        account.quoteAvailable, account.quoteLocked, spec.quoteScale()));
            }
        }
    }

    // ----------------------------------------------------------------------------------- checks

    /**
     * Checks the market's invariants and throws {@link IllegalStateException} on the first broken one:
     * the book's own (never crossed, cached level totals), no negative balance, every lock equal to
     * what its open orders back, every open order on the book, and each asset's balances adding up to
     * deposits minus withdrawals.
     */
    void validateInternalState() {
        book.validateInternalState();
        long base = 0;
        long quote = 0;
        int open = 0;
        int withClientId = 0;
        for (Account a : accounts.values()) {
            if (a.baseAvailable < 0 || a.baseLocked < 0 || a.quoteAvailable < 0 || a.quoteLocked < 0) {
                throw new IllegalStateException("account " + a.id + " has a negative balance");
            }
            long lockedBase = 0;
            long lockedQuote = 0;
            List<RestingOrder> orders = a.openOrders();
            if (orders.size() != a.openCount()) {
                throw new IllegalStateException("account " + a.id + " counts " + a.openCount() + " open orders, lists "
                        + orders.size());
            }
            for (RestingOrder o : orders) {
                if (o.clientOrderId != null) {
                    if (clientIds.find(a.id, o.clientOrderId) != o) {
                        throw new IllegalStateException("open order " + o.orderId + " is missing from the client id index");
                    }
                    withClientId++;
                }
                if (book.find(o.orderId) != o) {
                    throw new IllegalStateException("open order " + o.orderId + " of " + a.id + " is not on the book");
                }
                if (o.side == Side.BUY) {
                    lockedQuote += spec.notional(o.price, o.remaining);
                } else {
                    lockedBase += o.remaining;
                }
            }
            if (lockedBase != a.baseLocked || lockedQuote != a.quoteLocked) {
                throw new IllegalStateException("account " + a.id + " locks " + a.baseLocked + "/" + a.quoteLocked
                        + " but its orders back " + lockedBase + "/" + lockedQuote);
            }
            open += a.openCount();
            base += a.baseAvailable + a.baseLocked;
            quote += a.quoteAvailable + a.quoteLocked;
        }
        if (withClientId != clientIds.size()) {
            throw new IllegalStateException("the client id index holds " + clientIds.size() + " orders, the accounts "
                    + withClientId + " with a client order id");
        }
        if (open != book.orderCount()) {
            throw new IllegalStateException("accounts hold " + open + " open orders, the book " + book.orderCount());
        }
        if (base != baseTotal || quote != quoteTotal) {
            throw new IllegalStateException(spec.symbol() + " balances add up to " + base + "/" + quote
                    + " but deposits minus withdrawals are " + baseTotal + "/" + quoteTotal);
        }
    }
}
