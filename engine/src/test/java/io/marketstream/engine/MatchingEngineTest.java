package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
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
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;
import org.junit.jupiter.api.Test;

/**
 * The order-book contract: every order type, partial fills, priority, cancels, funds and rules,
 * with the engine's invariants (book never crossed, cached level totals, locks equal to what open
 * orders back, no negative balance, each asset conserved) and the sequence rules checked after
 * every single command.
 */
class MatchingEngineTest {
    private static final String MKT = "BTC-USD";
    /** Tick 1.00, lot and minimum 0.01, minimum notional 10, 10% band, maker 10 bps, taker 20 bps. */
    static final MarketSpec SPEC = MarketSpec.builder(MKT, 2, 4)
            .tickSize(100).lotSize(100).minQty(100).minNotional(10_000_000)
            .priceBandBps(1_000).makerFeeBps(10).takerFeeBps(20).feeAccount(0)
            .maxPrice(100_000_000).maxQty(1_000_000)
            .build();

    private final MatchingEngine engine = new MatchingEngine(new MarketCatalog(List.of(SPEC)));
    private final List<EngineEvent> log = new ArrayList<>();
    private int commands;

    private List<EngineEvent> send(OrderCommand command) {
        List<EngineEvent> events = engine.process(command, 1_000 + commands);
        for (EngineEvent e : events) {
            assertThat(e.seq()).as("seq runs without gaps").isEqualTo(log.size() + 1);
            assertThat(e.commandId()).as("echoed, cut to its maximum length")
                    .isEqualTo(command.commandId().substring(0, Math.min(64, command.commandId().length())));
            log.add(e);
        }
        assertThat(events).as("every command is answered").isNotEmpty();
        engine.validateInternalState();
        return events;
    }

    private String id() {
        return "c" + ++commands;
    }

    private void fund(long account, String btc, String usd) {
        send(new Deposit(id(), MKT, account, "BTC", btc, 0));
        send(new Deposit(id(), MKT, account, "USD", usd, 0));
    }

    private List<EngineEvent> limit(long account, Side side, String price, String qty) {
        return send(new PlaceLimitOrder(id(), MKT, account, null, side, price, qty, 0));
    }

    private List<EngineEvent> limit(long account, Side side, String price, String qty, TimeInForce tif) {
        return send(new PlaceLimitOrder(id(), MKT, account, null, side, price, qty, tif, null, null, 0));
    }

    private static long orderId(List<EngineEvent> events) {
        return ((OrderAccepted) events.get(0)).orderId();
    }

    private static <T extends EngineEvent> List<T> only(List<EngineEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<String> kinds(List<EngineEvent> events) {
        return events.stream().filter(e -> !(e instanceof BalanceChanged)).map(e -> e.getClass().getSimpleName()).toList();
    }

    private static RejectReason rejection(List<EngineEvent> events) {
        assertThat(events).hasSize(1).first().isInstanceOf(OrderRejected.class);
        return ((OrderRejected) events.get(0)).reason();
    }

    private MarketSnapshot.AccountState balance(long account) {
        return engine.balances(MKT, account).orElseThrow();
    }

    @Test
    void shouldRestANonCrossingLimitOrderAndLockItsNotional() {
        fund(1, "0", "1000");
        List<EngineEvent> events = limit(1, Side.BUY, "100.00", "2.0000");
        assertThat(kinds(events)).containsExactly("OrderAccepted", "OrderRested");
        assertThat(events.get(1)).isEqualTo(new OrderRested(MKT, 4, "c3", 1_003, 1, 1, Side.BUY, "100.00", "2.0000"));
        assertThat(only(events, BalanceChanged.class)).containsExactly(
                new BalanceChanged(MKT, 5, "c3", 1_003, 1, "USD", "800.000000", "200.000000"));
        assertThat(engine.levels(MKT, Side.BUY)).containsExactly(Map.entry(10_000L, 20_000L));
    }

    @Test
    void shouldFillAcrossLevelsAtMakerPricesInPriceThenTimePriorityAndRestTheRest() {
        fund(1, "10", "0");
        fund(2, "10", "0");
        fund(9, "0", "10000");
        long first = orderId(limit(1, Side.SELL, "101.00", "1.0000"));
        long second = orderId(limit(2, Side.SELL, "101.00", "1.0000"));
        long third = orderId(limit(1, Side.SELL, "102.00", "1.0000"));
        List<EngineEvent> events = limit(9, Side.BUY, "102.00", "3.5000");
        assertThat(kinds(events)).containsExactly("OrderAccepted", "Trade", "Trade", "Trade", "OrderRested");
        List<Trade> trades = only(events, Trade.class);
        assertThat(trades).extracting(Trade::makerOrderId).containsExactly(first, second, third);
        assertThat(trades).extracting(Trade::price).containsExactly("101.00", "101.00", "102.00");
        assertThat(trades).extracting(Trade::qty).containsExactly("1.0000", "1.0000", "1.0000");
        assertThat(trades).extracting(Trade::tradeId).containsExactly(1L, 2L, 3L);
        assertThat(trades.get(0).takerSide()).isEqualTo(Side.BUY);
        assertThat(((OrderRested) events.get(4)).qty()).isEqualTo("0.5000");
        assertThat(engine.levels(MKT, Side.SELL)).isEmpty();
        assertThat(engine.levels(MKT, Side.BUY)).containsExactly(Map.entry(10_200L, 5_000L));
        // the rest is locked at its own price; the fills at 101 refunded the difference
        assertThat(balance(9).quoteLocked()).isEqualTo(51_000_000L);
    }

    @Test
    void shouldSettleTradesWithFeesInTheReceivedAssetAndConserveEveryAsset() {
        fund(1, "2", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "1.0000");
        List<EngineEvent> events = limit(2, Side.BUY, "105.00", "1.0000");
        Trade trade = only(events, Trade.class).get(0);
        assertThat(trade.quoteQty()).isEqualTo("100.000000");
        // maker sells: receives 100 USD, pays 10 bps = 0.10 USD; taker buys: receives 1 BTC, pays 20 bps
        assertThat(trade.makerFee()).isEqualTo("0.100000");
        assertThat(trade.makerFeeAsset()).isEqualTo("USD");
        assertThat(trade.takerFee()).isEqualTo("0.0020");
        assertThat(trade.takerFeeAsset()).isEqualTo("BTC");
        assertThat(balance(1)).isEqualTo(new MarketSnapshot.AccountState(1, 10_000, 0, 99_900_000, 0));
        // the taker locked 105 and paid 100: the 5 difference comes back
        assertThat(balance(2)).isEqualTo(new MarketSnapshot.AccountState(2, 9_980, 0, 900_000_000, 0));
        assertThat(balance(0)).isEqualTo(new MarketSnapshot.AccountState(0, 20, 0, 100_000, 0));
        assertThat(only(events, BalanceChanged.class)).extracting(BalanceChanged::account)
                .containsExactly(2L, 2L, 1L, 1L, 0L, 0L);
    }

    @Test
    void shouldCancelARestingOrderOnlyForItsOwnerAndReleaseItsLock() {
        fund(1, "0", "1000");
        fund(2, "0", "1000");
        long id = orderId(limit(1, Side.BUY, "100.00", "1.0000"));
        assertThat(rejection(send(new CancelOrder(id(), MKT, 2, id, 0)))).isEqualTo(RejectReason.NOT_ORDER_OWNER);
        List<EngineEvent> events = send(new CancelOrder(id(), MKT, 1, id, 0));
        assertThat(events.get(0)).isEqualTo(new OrderCancelled(MKT, events.get(0).seq(), "c7", 1_007, id, 1, Side.BUY,
                "100.00", "1.0000", true, CancelReason.USER));
        assertThat(balance(1).quoteAvailable()).isEqualTo(1_000_000_000L);
        assertThat(rejection(send(new CancelOrder(id(), MKT, 1, id, 0)))).isEqualTo(RejectReason.UNKNOWN_ORDER);
        assertThat(engine.levels(MKT, Side.BUY)).isEmpty();
    }

    @Test
    void shouldCancelAllOfAnAccountsOrdersOldestFirstAndLeaveOthers() {
        fund(1, "5", "1000");
        fund(2, "5", "1000");
        long a = orderId(limit(1, Side.BUY, "99.00", "1.0000"));
        long b = orderId(limit(1, Side.SELL, "101.00", "1.0000"));
        long other = orderId(limit(2, Side.BUY, "98.00", "1.0000"));
        List<EngineEvent> events = send(new CancelAllOrders(id(), MKT, 1, 0));
        assertThat(only(events, OrderCancelled.class)).extracting(OrderCancelled::orderId).containsExactly(a, b);
        assertThat(engine.levels(MKT, Side.BUY)).containsOnlyKeys(9_800L);
        assertThat(engine.snapshot(MKT).orders()).extracting(MarketSnapshot.OrderState::orderId).containsExactly(other);
        assertThat(rejection(send(new CancelAllOrders(id(), MKT, 1, 0)))).isEqualTo(RejectReason.UNKNOWN_ORDER);
    }

    @Test
    void shouldReduceAnOrderKeepingItsTimePriority() {
        fund(1, "5", "0");
        fund(2, "5", "0");
        fund(3, "0", "1000");
        long first = orderId(limit(1, Side.SELL, "100.00", "2.0000"));
        long second = orderId(limit(2, Side.SELL, "100.00", "1.0000"));
        List<EngineEvent> reduced = send(new ReduceOrder(id(), MKT, 1, first, "1.5000", 0));
        assertThat(reduced.get(0)).isEqualTo(new OrderReduced(MKT, reduced.get(0).seq(), "c9", 1_009, first, 1,
                Side.SELL, "100.00", "1.5000", "0.5000"));
        assertThat(balance(1).baseLocked()).isEqualTo(5_000);
        assertThat(rejection(send(new ReduceOrder(id(), MKT, 1, first, "0.5000", 0))))
                .isEqualTo(RejectReason.REDUCE_NOT_BELOW_REMAINING);
        List<Trade> trades = only(limit(3, Side.BUY, "100.00", "0.5000"), Trade.class);
        assertThat(trades).extracting(Trade::makerOrderId).containsExactly(first);
        assertThat(engine.levels(MKT, Side.SELL)).containsExactly(Map.entry(10_000L, 10_000L));
        assertThat(engine.snapshot(MKT).orders()).extracting(MarketSnapshot.OrderState::orderId).containsExactly(second);
    }

    @Test
    void shouldCancelTheUnfilledRestOfAnImmediateOrCancelOrder() {
        fund(1, "1", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "0.4000");
        List<EngineEvent> events = limit(2, Side.BUY, "100.00", "1.0000", TimeInForce.IOC);
        assertThat(kinds(events)).containsExactly("OrderAccepted", "Trade", "OrderCancelled");
        OrderCancelled cancelled = only(events, OrderCancelled.class).get(0);
        assertThat(cancelled.reason()).isEqualTo(CancelReason.IMMEDIATE_OR_CANCEL);
        assertThat(cancelled.remainingQty()).isEqualTo("0.6000");
        assertThat(cancelled.wasResting()).isFalse();
        assertThat(balance(2).quoteLocked()).isZero();
        assertThat(engine.levels(MKT, Side.BUY)).isEmpty();
    }

    @Test
    void shouldKillAFillOrKillOrderThatCannotFillCompletelyWithoutTrading() {
        fund(1, "1", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "0.4000");
        List<EngineEvent> killed = limit(2, Side.BUY, "100.00", "0.5000", TimeInForce.FOK);
        assertThat(kinds(killed)).containsExactly("OrderAccepted", "OrderCancelled");
        assertThat(only(killed, OrderCancelled.class).get(0).reason()).isEqualTo(CancelReason.FILL_OR_KILL);
        assertThat(engine.levels(MKT, Side.SELL)).containsExactly(Map.entry(10_000L, 4_000L));
        List<EngineEvent> filled = limit(2, Side.BUY, "100.00", "0.4000", TimeInForce.FOK);
        assertThat(kinds(filled)).containsExactly("OrderAccepted", "Trade");
    }

    @Test
    void shouldRejectAPostOnlyOrderThatWouldTakeAndRestOneThatWouldNot() {
        fund(1, "1", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "1.0000");
        PlaceLimitOrder taking = new PlaceLimitOrder(id(), MKT, 2, null, Side.BUY, "100.00", "1.0000", null, true, null, 0);
        assertThat(rejection(send(taking))).isEqualTo(RejectReason.POST_ONLY_WOULD_TAKE);
        PlaceLimitOrder making = new PlaceLimitOrder(id(), MKT, 2, null, Side.BUY, "99.00", "1.0000", null, true, null, 0);
        assertThat(kinds(send(making))).containsExactly("OrderAccepted", "OrderRested");
    }

    @Test
    void shouldSweepTheBookWithAMarketOrderByQuantityAndCancelWhatFindsNoLiquidity() {
        fund(1, "3", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "1.0000");
        limit(1, Side.SELL, "101.00", "1.0000");
        List<EngineEvent> events = send(new PlaceMarketOrder(id(), MKT, 2, null, Side.BUY, "3.0000", 0));
        assertThat(kinds(events)).containsExactly("OrderAccepted", "Trade", "Trade", "OrderCancelled");
        OrderCancelled rest = only(events, OrderCancelled.class).get(0);
        assertThat(rest.reason()).isEqualTo(CancelReason.NO_LIQUIDITY);
        assertThat(rest.remainingQty()).isEqualTo("1.0000");
        assertThat(balance(2).quoteAvailable()).isEqualTo(1_000_000_000L - 201_000_000L);
    }

    @Test
    void shouldSpendAtMostTheQuoteAmountOfAMarketOrderByQuote() {
        fund(1, "3", "0");
        fund(2, "0", "1000");
        limit(1, Side.SELL, "100.00", "1.0000");
        limit(1, Side.SELL, "110.00", "1.0000");
        List<EngineEvent> events = send(new PlaceMarketOrder(id(), MKT, 2, null, Side.BUY, null, "155.000000", null, 0));
        List<Trade> trades = only(events, Trade.class);
        // 100 buys 1.0000 at 100.00; the remaining 55 buys 0.50 (whole lots of 0.01) at 110.00
        assertThat(trades).extracting(Trade::qty).containsExactly("1.0000", "0.5000");
        assertThat(only(events, OrderCancelled.class)).isEmpty();
        assertThat(balance(2).quoteAvailable()).isEqualTo(1_000_000_000L - 155_000_000L);
    }

    @Test
    void shouldStopAMarketOrderAtTheEdgeOfThePriceBand() {
        fund(1, "5", "0");
        fund(2, "0", "10000");
        limit(1, Side.SELL, "100.00", "1.0000");
        limit(2, Side.BUY, "100.00", "1.0000"); // last trade 100.00: the band is 90.00..110.00
        limit(1, Side.SELL, "110.00", "1.0000");
        send(new Deposit(id(), MKT, 1, "USD", "1", 0));
        assertThat(rejection(limit(1, Side.SELL, "111.00", "1.0000"))).isEqualTo(RejectReason.PRICE_OUTSIDE_BAND);
        List<EngineEvent> events = send(new PlaceMarketOrder(id(), MKT, 2, null, Side.BUY, "5.0000", 0));
        assertThat(only(events, Trade.class)).extracting(Trade::price).containsExactly("110.00");
        assertThat(only(events, OrderCancelled.class).get(0).reason()).isEqualTo(CancelReason.NO_LIQUIDITY);
    }

    @Test
    void shouldCancelTheRestOfAMarketOrderThatRunsOutOfFunds() {
        fund(1, "5", "0");
        fund(2, "0", "150");
        limit(1, Side.SELL, "100.00", "1.0000");
        limit(1, Side.SELL, "100.00", "1.0000");
        List<EngineEvent> events = send(new PlaceMarketOrder(id(), MKT, 2, null, Side.BUY, "2.0000", 0));
        assertThat(only(events, Trade.class)).extracting(Trade::qty).containsExactly("1.0000", "0.5000");
        OrderCancelled rest = only(events, OrderCancelled.class).get(0);
        assertThat(rest.reason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
        assertThat(rest.remainingQty()).isEqualTo("0.5000");
        assertThat(balance(2).quoteAvailable()).isZero();
    }

    @Test
    void shouldPreventSelfTradesByCancellingTheNewestOrTheOldestOrBoth() {
        fund(1, "5", "1000");
        fund(2, "5", "0");
        long own = orderId(limit(1, Side.SELL, "100.00", "1.0000"));
        long other = orderId(limit(2, Side.SELL, "100.00", "1.0000"));

        List<EngineEvent> newest = send(new PlaceLimitOrder(id(), MKT, 1, null, Side.BUY, "100.00", "1.0000",
                null, null, SelfTradePrevention.CANCEL_NEWEST, 0));
        assertThat(kinds(newest)).containsExactly("OrderAccepted", "OrderCancelled");
        assertThat(only(newest, OrderCancelled.class).get(0).reason()).isEqualTo(CancelReason.SELF_TRADE);
        assertThat(engine.levels(MKT, Side.SELL)).containsExactly(Map.entry(10_000L, 20_000L));

        List<EngineEvent> oldest = send(new PlaceLimitOrder(id(), MKT, 1, null, Side.BUY, "100.00", "1.0000",
                null, null, SelfTradePrevention.CANCEL_OLDEST, 0));
        assertThat(kinds(oldest)).containsExactly("OrderAccepted", "OrderCancelled", "Trade");
        assertThat(only(oldest, OrderCancelled.class).get(0).orderId()).isEqualTo(own);
        assertThat(only(oldest, Trade.class).get(0).makerOrderId()).isEqualTo(other);

        long ownAgain = orderId(limit(1, Side.SELL, "101.00", "1.0000"));
        List<EngineEvent> both = send(new PlaceLimitOrder(id(), MKT, 1, null, Side.BUY, "101.00", "1.0000",
                null, null, SelfTradePrevention.CANCEL_BOTH, 0));
        assertThat(only(both, OrderCancelled.class)).extracting(OrderCancelled::orderId)
                .containsExactly(ownAgain, orderId(both));
        assertThat(engine.levels(MKT, Side.SELL)).isEmpty();
    }

    @Test
    void shouldRejectADuplicateClientOrderIdAmongOpenOrders() {
        fund(1, "0", "1000");
        send(new PlaceLimitOrder(id(), MKT, 1, "mine", Side.BUY, "100.00", "1.0000", 0));
        assertThat(rejection(send(new PlaceLimitOrder(id(), MKT, 1, "mine", Side.BUY, "99.00", "1.0000", 0))))
                .isEqualTo(RejectReason.DUPLICATE_CLIENT_ORDER_ID);
        fund(2, "0", "1000");
        assertThat(kinds(send(new PlaceLimitOrder(id(), MKT, 2, "mine", Side.BUY, "99.00", "1.0000", 0))))
                .as("another account may use the same id").containsExactly("OrderAccepted", "OrderRested");
    }

    @Test
    void shouldRejectEachBrokenRuleWithItsOwnReason() {
        fund(1, "100", "100000");
        assertThat(rejection(limit(1, Side.BUY, "100.50", "1.0000"))).isEqualTo(RejectReason.PRICE_NOT_ON_TICK);
        assertThat(rejection(limit(1, Side.BUY, "100.00", "1.0050"))).isEqualTo(RejectReason.QUANTITY_NOT_ON_LOT);
        assertThat(rejection(limit(1, Side.BUY, "1000.00", "0.0000"))).isEqualTo(RejectReason.INVALID_QUANTITY);
        assertThat(rejection(limit(1, Side.BUY, "1.00", "1.0000"))).isEqualTo(RejectReason.NOTIONAL_BELOW_MINIMUM);
        assertThat(rejection(limit(1, Side.BUY, "9999999999.00", "1.0000"))).isEqualTo(RejectReason.PRICE_TOO_HIGH);
        assertThat(rejection(limit(1, Side.BUY, "100.00", "1000.0000"))).isEqualTo(RejectReason.QUANTITY_TOO_LARGE);
        assertThat(rejection(limit(1, Side.BUY, "-5.00", "1.0000"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(rejection(limit(1, Side.BUY, "1e9", "1.0000"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(rejection(limit(1, Side.BUY, "100.001", "1.0000"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(rejection(limit(1, Side.BUY, "1100.00", "99.0000"))).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
        assertThat(rejection(limit(42, Side.BUY, "100.00", "1.0000"))).isEqualTo(RejectReason.UNKNOWN_ACCOUNT);
        assertThat(rejection(send(new PlaceLimitOrder(id(), MKT, 1, "x".repeat(65), Side.BUY, "100.00", "1.0000", 0))))
                .isEqualTo(RejectReason.FIELD_TOO_LONG);
        assertThat(rejection(send(new PlaceLimitOrder("y".repeat(1_000), MKT, 1, null, Side.BUY, "100.00", "1.0000", 0))))
                .isEqualTo(RejectReason.FIELD_TOO_LONG);
        assertThat(rejection(send(new PlaceLimitOrder(id(), MKT, 1, null, null, "100.00", "1.0000", 0))))
                .isEqualTo(RejectReason.INVALID_COMMAND);
        assertThat(rejection(send(new PlaceMarketOrder(id(), MKT, 1, null, Side.BUY, "1.0000", "10.000000", null, 0))))
                .isEqualTo(RejectReason.INVALID_COMMAND);
        assertThat(rejection(send(new Deposit(id(), MKT, 1, "ETH", "1", 0)))).isEqualTo(RejectReason.UNKNOWN_ASSET);
        assertThat(rejection(send(new Deposit(id(), MKT, 1, "USD", "-1", 0)))).isEqualTo(RejectReason.INVALID_AMOUNT);
        assertThat(rejection(send(new Withdraw(id(), MKT, 1, "USD", "100001", 0)))).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
        assertThat(rejection(send(new Withdraw(id(), MKT, 7, "USD", "1", 0)))).isEqualTo(RejectReason.UNKNOWN_ACCOUNT);

        List<EngineEvent> unknown = engine.process(new PlaceLimitOrder("z", "DOGE-USD", 1, null, Side.BUY, "1.00",
                "1.0000", 0), 5);
        assertThat(unknown).singleElement().satisfies(e -> {
            assertThat(((OrderRejected) e).reason()).isEqualTo(RejectReason.UNKNOWN_MARKET);
            assertThat(e.seq()).isZero();
        });
        assertThat(engine.levels(MKT, Side.BUY)).isEmpty();
    }

    @Test
    void shouldOnlyWithdrawWhatIsNotLockedByOpenOrders() {
        fund(1, "0", "100");
        limit(1, Side.BUY, "60.00", "1.0000");
        assertThat(rejection(send(new Withdraw(id(), MKT, 1, "USD", "50", 0)))).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
        List<EngineEvent> ok = send(new Withdraw(id(), MKT, 1, "USD", "40", 0));
        assertThat(ok).containsExactly(new BalanceChanged(MKT, ok.get(0).seq(), "c5", 1_005, 1, "USD",
                "0.000000", "60.000000"));
    }

    @Test
    void shouldRestoreASnapshotToTheSameStateAndContinueIdentically() {
        fund(1, "5", "1000");
        fund(2, "5", "1000");
        limit(1, Side.SELL, "100.00", "1.0000");
        limit(2, Side.BUY, "99.00", "1.0000");
        send(new PlaceLimitOrder(id(), MKT, 1, "keep", Side.SELL, "101.00", "0.5000", 0));
        MarketSnapshot snapshot = engine.snapshot(MKT);

        MatchingEngine restored = new MatchingEngine(new MarketCatalog(List.of(SPEC)));
        restored.restore(io.marketstream.protocol.Json.read(io.marketstream.protocol.Json.write(snapshot),
                MarketSnapshot.class));
        assertThat(restored.stateHash()).isEqualTo(engine.stateHash());
        OrderCommand next = new PlaceLimitOrder("next", MKT, 2, null, Side.BUY, "101.00", "2.0000", 0);
        assertThat(restored.process(next, 9)).isEqualTo(engine.process(next, 9));
        assertThat(restored.stateHash()).isEqualTo(engine.stateHash());
    }

    @Test
    void shouldAppendToACallersListTheSameEventsItWouldReturn() {
        MatchingEngine returning = new MatchingEngine(new MarketCatalog(List.of(SPEC)));
        MatchingEngine appending = new MatchingEngine(new MarketCatalog(List.of(SPEC)));
        List<OrderCommand> commands = List.of(
                new Deposit("d1", MKT, 1, "BTC", "10", 0), new Deposit("d2", MKT, 1, "USD", "100000", 0),
                new Deposit("d3", MKT, 2, "BTC", "10", 0), new Deposit("d4", MKT, 2, "USD", "100000", 0),
                new PlaceLimitOrder("p1", MKT, 1, "a", Side.SELL, "100", "1", 0),
                new PlaceLimitOrder("p2", MKT, 2, "b", Side.BUY, "100", "0.5", 0),
                new CancelOrder("x1", MKT, 1, 1, 0),
                new PlaceLimitOrder("p3", "ETH-USD", 2, "c", Side.BUY, "100", "0.5", 0));
        List<EngineEvent> reused = new ArrayList<>();
        for (OrderCommand c : commands) {
            reused.clear();
            appending.process(c, 7, reused);
            assertThat(reused).isNotEmpty().isEqualTo(returning.process(c, 7));
        }
        assertThat(reused).singleElement().isInstanceOfSatisfying(OrderRejected.class,
                r -> assertThat(r.reason()).isEqualTo(RejectReason.UNKNOWN_MARKET));
        assertThat(appending.stateHash()).isEqualTo(returning.stateHash());
    }
}
