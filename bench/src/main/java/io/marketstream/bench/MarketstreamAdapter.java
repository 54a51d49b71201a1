package io.marketstream.bench;

import java.util.ArrayList;
import java.util.List;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.Trade;

/**
 * Drives our {@link MatchingEngine} in-process, on the caller's thread: {@code process} is a plain
 * call, so one op's result is in when the call returns.
 *
 * <p>The market is {@code BTC-USD} with prices to the cent and quantities to 1e-4 BTC, tick and lot
 * of one unit, no fees, no price band, no minimum notional: a mix tick is one cent and a mix lot
 * 0.0001 BTC. Commands carry decimal strings, as they do on the command topic, so the engine's
 * parsing and its formatting of event fields are part of what is measured.
 *
 * <p>Funds: every account first deposits {@link #BASE_DEPOSIT_LOTS} lots of BTC and
 * {@link #QUOTE_DEPOSIT_UNITS} micro-dollars (far more than the mix can lock), because the engine
 * locks funds for orders. An engine without balances answers deposits with no events, which is
 * also accepted.
 *
 * <p>Order ids: the engine assigns them (1, 2, 3, … per market, in acceptance order). The adapter
 * records the id each pre-fill order was given, predicts the ids of measured orders (one per
 * accepted order, in order) so that cancels can be built before measuring, and checks every
 * {@link OrderAccepted} against its prediction while running; {@link #verify} fails on any miss.
 */
public final class MarketstreamAdapter implements EngineAdapter {
    public static final String NAME = "marketstream";
    public static final String MARKET = "BTC-USD";
    /** 10,000 BTC in lots of 1e-4. */
    public static final long BASE_DEPOSIT_LOTS = 100_000_000L;
    /** 100 million USD in micro-dollars (the quote scale is price scale 2 + quantity scale 4). */
    public static final long QUOTE_DEPOSIT_UNITS = 100_000_000L * 1_000_000L;

    private final MarketSpec spec = MarketSpec.builder(MARKET, 2, 4).build();
    private final MarketCatalog catalog = new MarketCatalog(List.of(spec));

    private MatchingEngine engine;
    private OrderMix mix;
    private OrderCommand[] prefill;
    /**
     * One list for every command's events: each command's events are counted before the next
     * command runs, as a service publishes them before taking the next command.
     */
    private final List<EngineEvent> events = new ArrayList<>();
    private OrderCommand[] commands;
    /** For each measured op that places an order, the engine id it must get; 0 for cancels. */
    private long[] expectedIds;
    private int nextOne;
    private long trades;
    private long rejections;
    private long idMismatches;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(OrderMix mix) {
        engine = new MatchingEngine(catalog);
        resetCounts();
        for (int account = 1; account <= mix.accounts(); account++) {
            check(engine.process(new Deposit("dep-base-" + account, MARKET, account, spec.base(),
                    spec.formatQty(BASE_DEPOSIT_LOTS), 0), 0), "deposit");
            check(engine.process(new Deposit("dep-quote-" + account, MARKET, account, spec.quote(),
                    spec.formatQuote(QUOTE_DEPOSIT_UNITS), 0), 0), "deposit");
        }
        if (mix != this.mix) {
            this.mix = mix;
            translateOnce(mix);
        } else {
            for (OrderCommand command : prefill) {
                check(engine.process(command, 0), "pre-fill");
            }
        }
        resetCounts();
        nextOne = 0;
    }

    /**
     * Runs the pre-fill on the fresh engine, recording the ids it gives, and builds the measured
     * commands with the ids they will be given. Once per mix, not per {@link #start}: the commands
     * are immutable and, the engine being deterministic, the same for every fresh engine (ids are
     * still checked on every run); building a million of them before each run only filled the
     * young generation with objects that the first collection inside the measured run then had to
     * copy. Same for exchange-core's adapter.
     */
    private void translateOnce(OrderMix mix) {
        long totalOrders = mix.prefill().size() + mix.measured().size() + 1;
        long[] engineIdOfMixId = new long[Math.toIntExact(totalOrders)];
        long lastEngineId = 0;
        prefill = new OrderCommand[mix.prefill().size()];
        int i = 0;
        for (OrderMix.Op op : mix.prefill()) {
            prefill[i] = translate("p" + i, op, 0);
            List<EngineEvent> events = engine.process(prefill[i++], 0);
            check(events, "pre-fill");
            for (EngineEvent event : events) {
                if (event instanceof OrderAccepted accepted) {
                    engineIdOfMixId[(int) op.orderId()] = accepted.orderId();
                    lastEngineId = accepted.orderId();
                }
            }
        }

        List<OrderMix.Op> ops = mix.measured();
        commands = new OrderCommand[ops.size()];
        expectedIds = new long[ops.size()];
        for (int k = 0; k < ops.size(); k++) {
            OrderMix.Op op = ops.get(k);
            if (op.kind() == OrderMix.Kind.CANCEL) {
                commands[k] = translate("m" + k, op, engineIdOfMixId[(int) op.orderId()]);
            } else {
                lastEngineId++;
                engineIdOfMixId[(int) op.orderId()] = lastEngineId;
                expectedIds[k] = lastEngineId;
                commands[k] = translate("m" + k, op, 0);
            }
        }
    }

    private OrderCommand translate(String commandId, OrderMix.Op op, long engineOrderId) {
        Side side = op.buy() ? Side.BUY : Side.SELL;
        return switch (op.kind()) {
            case LIMIT -> new PlaceLimitOrder(commandId, MARKET, op.account(), commandId, side,
                    spec.formatPrice(op.price()), spec.formatQty(op.qty()), 0);
            case MARKET -> new PlaceMarketOrder(commandId, MARKET, op.account(), commandId, side,
                    spec.formatQty(op.qty()), 0);
            case CANCEL -> new CancelOrder(commandId, MARKET, op.account(), engineOrderId, 0);
        };
    }

    private static void check(List<EngineEvent> events, String what) {
        for (EngineEvent event : events) {
            if (event instanceof OrderRejected rejected) {
                throw new IllegalStateException(what + " rejected: " + rejected);
            }
        }
    }

    @Override
    public long runAll() {
        OrderCommand[] cmds = commands;
        List<EngineEvent> events = this.events;
        for (int k = 0; k < cmds.length; k++) {
            events.clear();
            engine.process(cmds[k], 0, events);
            count(k, events);
        }
        return trades;
    }

    @Override
    public long runOne(int index) {
        if (index != nextOne++) {
            throw new IllegalStateException("runOne must go in order: expected " + (nextOne - 1) + ", got " + index);
        }
        events.clear();
        engine.process(commands[index], 0, events);
        count(index, events);
        return trades;
    }

    private void count(int index, List<EngineEvent> events) {
        for (int e = 0, n = events.size(); e < n; e++) {
            EngineEvent event = events.get(e);
            if (event instanceof Trade) {
                trades++;
            } else if (event instanceof OrderAccepted accepted) {
                if (accepted.orderId() != expectedIds[index]) {
                    idMismatches++;
                }
            } else if (event instanceof OrderRejected) {
                rejections++;
            }
        }
    }

    @Override
    public void verify() {
        if (trades != mix.expectedTrades() || rejections != 0 || idMismatches != 0) {
            throw new IllegalStateException(NAME + ": trades " + trades + " (mix expects " + mix.expectedTrades()
                    + "), rejections " + rejections + ", order ids not as predicted " + idMismatches);
        }
    }

    private void resetCounts() {
        trades = 0;
        rejections = 0;
        idMismatches = 0;
    }

    @Override
    public void close() {
        engine = null;
        mix = null;
        prefill = null;
        commands = null;
    }
}
