package io.marketstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import exchange.core2.core.ExchangeApi;
import exchange.core2.core.ExchangeCore;
import exchange.core2.core.common.CoreSymbolSpecification;
import exchange.core2.core.common.CoreWaitStrategy;
import exchange.core2.core.common.MatcherEventType;
import exchange.core2.core.common.MatcherTradeEvent;
import exchange.core2.core.common.OrderAction;
import exchange.core2.core.common.OrderType;
import exchange.core2.core.common.SymbolType;
import exchange.core2.core.common.api.ApiAddUser;
import exchange.core2.core.common.api.ApiAdjustUserBalance;
import exchange.core2.core.common.api.ApiCancelOrder;
import exchange.core2.core.common.api.ApiCommand;
import exchange.core2.core.common.api.ApiNop;
import exchange.core2.core.common.api.ApiPlaceOrder;
import exchange.core2.core.common.api.binary.BatchAddSymbolsCommand;
import exchange.core2.core.common.cmd.CommandResultCode;
import exchange.core2.core.common.cmd.OrderCommand;
import exchange.core2.core.common.config.ExchangeConfiguration;
import exchange.core2.core.common.config.PerformanceConfiguration;
import exchange.core2.core.orderbook.OrderBookDirectImpl;

/**
 * Drives exchange-core (exchange.core2:exchange-core) through its public {@link ExchangeApi}.
 *
 * <p>exchange-core is a pipeline of threads joined by an LMAX Disruptor ring: grouping, risk
 * pre-check (R1), matching (ME), risk settlement (R2), results. A command is done when the results
 * stage has seen it. So:
 * <ul>
 *   <li>{@link #runAll} publishes every measured command without waiting ({@code submitCommand}),
 *       then a no-op and waits for that no-op's future: the ring is ordered, so when it completes,
 *       every command before it has passed all stages, including our results consumer.</li>
 *   <li>{@link #runOne} publishes one command and waits for its future
 *       ({@code submitCommandAsync(...).join()}): one command's trip through the whole pipeline,
 *       the thread hand-offs included.</li>
 * </ul>
 *
 * <p>Configuration: one matching engine and one risk engine shard, the production order book
 * ({@code OrderBookDirectImpl}, not the naive reference one), plain threads (no CPU pinning: this
 * machine has two shared cores), no journaling, risk checks on (every order holds funds, like ours),
 * and the wait strategy as chosen ({@link Waiting}); everything else is exchange-core's
 * {@code baseBuilder()} default. The symbol is a currency pair with {@code baseScaleK = quoteScaleK
 * = 1}, no fees: one mix lot is one base unit, one mix tick one quote unit per lot, so a notional
 * is price × size quote units, the same numbers our engine uses.
 *
 * <p>Market orders: exchange-core has no uncapped market order; the mix's market ops become IOC
 * orders capped {@link OrderMix#MARKET_CAP_TICKS} beyond the mid, past any resting order, which
 * is how its own tests express one. Order ids are the mix's own (exchange-core takes ids from the
 * client). Users are added and funded one command at a time before the pre-fill.
 */
public final class ExchangeCoreAdapter implements EngineAdapter {
    private static final int SYMBOL = 1;
    private static final int BASE_CURRENCY = 1;
    private static final int QUOTE_CURRENCY = 2;
    private static final long RESULT_TIMEOUT_SECONDS = 120;

    /** exchange-core's wait strategies for its pipeline threads. */
    public enum Waiting {
        /** spin, then {@code Thread.yield()}: keeps a core busy only while another thread can use it */
        YIELDING(CoreWaitStrategy.YIELDING),
        /** lock and condition: idle threads sleep; each hand-off may need a wake-up */
        BLOCKING(CoreWaitStrategy.BLOCKING),
        /**
         * spin without yielding: what exchange-core's own latency set-up uses, with a core per
         * thread; on two shared cores its five spinning stages starve each other (a 20,000-op run
         * did not finish in 100 s here), so no figures use it
         */
        BUSY_SPIN(CoreWaitStrategy.BUSY_SPIN);

        final CoreWaitStrategy strategy;

        Waiting(CoreWaitStrategy strategy) {
            this.strategy = strategy;
        }
    }

    private final Waiting waiting;
    private ExchangeCore core;
    private ExchangeApi api;
    private OrderMix mix;
    private ApiCommand[] prefill;
    private ApiCommand[] commands;
    private int nextOne;

    // Written by exchange-core's results thread; read by the caller only after a future it waited
    // on has completed, which the results stage completes after counting (happens-before).
    private long trades;
    private long volume;
    private long rejections;
    private CommandResultCode firstRejection;

    public ExchangeCoreAdapter(Waiting waiting) {
        this.waiting = waiting;
    }

    @Override
    public String name() {
        return "exchange-core-" + waiting.name().toLowerCase().replace("_", "");
    }

    @Override
    public void start(OrderMix mix) {
        shutdownCore();
        if (mix != this.mix) {
            this.mix = mix;
            translateOnce(mix);
        }
        PerformanceConfiguration performance = PerformanceConfiguration.baseBuilder()
                .matchingEnginesNum(1)
                .riskEnginesNum(1)
                .threadFactory(Thread::new)
                .waitStrategy(waiting.strategy)
                .orderBookFactory(OrderBookDirectImpl::new)
                .build();
        ExchangeConfiguration configuration = ExchangeConfiguration.defaultBuilder()
                .performanceCfg(performance)
                .build();
        core = ExchangeCore.builder()
                .resultsConsumer(this::onResult)
                .exchangeConfiguration(configuration)
                .build();
        core.startup();
        api = core.getApi();

        CoreSymbolSpecification symbol = CoreSymbolSpecification.builder()
                .symbolId(SYMBOL)
                .type(SymbolType.CURRENCY_EXCHANGE_PAIR)
                .baseCurrency(BASE_CURRENCY)
                .quoteCurrency(QUOTE_CURRENCY)
                .baseScaleK(1)
                .quoteScaleK(1)
                .takerFee(0)
                .makerFee(0)
                .build();
        expectSuccess(api.submitBinaryDataAsync(new BatchAddSymbolsCommand(symbol)), "add symbol");

        List<CompletableFuture<CommandResultCode>> setup = new ArrayList<>();
        long transaction = 1;
        for (int account = 1; account <= mix.accounts(); account++) {
            setup.add(api.submitCommandAsync(ApiAddUser.builder().uid(account).build()));
            setup.add(api.submitCommandAsync(ApiAdjustUserBalance.builder().uid(account).currency(BASE_CURRENCY)
                    .amount(MarketstreamAdapter.BASE_DEPOSIT_LOTS).transactionId(transaction++).build()));
            setup.add(api.submitCommandAsync(ApiAdjustUserBalance.builder().uid(account).currency(QUOTE_CURRENCY)
                    .amount(MarketstreamAdapter.QUOTE_DEPOSIT_UNITS).transactionId(transaction++).build()));
        }
        for (CompletableFuture<CommandResultCode> result : setup) {
            expectSuccess(result, "add and fund users");
        }

        resetCounts();
        for (ApiCommand command : prefill) {
            api.submitCommand(command);
        }
        barrier();
        if (rejections != 0) {
            throw new IllegalStateException(name() + ": pre-fill had " + rejections + " rejections, first " + firstRejection);
        }
        resetCounts();
        nextOne = 0;
    }

    /**
     * Builds the mix's commands once per mix, not per {@link #start}: they are immutable (the
     * API copies them into its ring) and the same for every fresh engine, and building a million
     * of them before each run only filled the young generation with objects that the first
     * collection inside the measured run then had to copy. Same for our engine's adapter.
     */
    private void translateOnce(OrderMix mix) {
        prefill = mix.prefill().stream().map(ExchangeCoreAdapter::translate).toArray(ApiCommand[]::new);
        List<OrderMix.Op> ops = mix.measured();
        commands = new ApiCommand[ops.size()];
        for (int k = 0; k < ops.size(); k++) {
            commands[k] = translate(ops.get(k));
        }
    }

    private static ApiCommand translate(OrderMix.Op op) {
        OrderAction action = op.buy() ? OrderAction.BID : OrderAction.ASK;
        return switch (op.kind()) {
            case LIMIT, MARKET -> ApiPlaceOrder.builder()
                    .symbol(SYMBOL)
                    .uid(op.account())
                    .orderId(op.orderId())
                    .action(action)
                    .orderType(op.kind() == OrderMix.Kind.LIMIT ? OrderType.GTC : OrderType.IOC)
                    .price(op.price())
                    // funds a buy holds are reserved at this price; never below the limit
                    .reservePrice(op.price())
                    .size(op.qty())
                    .build();
            case CANCEL -> ApiCancelOrder.builder().symbol(SYMBOL).uid(op.account()).orderId(op.orderId()).build();
        };
    }

    /** Results stage: runs on exchange-core's results thread, once per command, in ring order. */
    private void onResult(OrderCommand cmd, long seq) {
        switch (cmd.command) {
            case PLACE_ORDER, CANCEL_ORDER -> {
                if (cmd.resultCode != CommandResultCode.SUCCESS) {
                    if (rejections++ == 0) {
                        firstRejection = cmd.resultCode;
                    }
                }
                for (MatcherTradeEvent event = cmd.matcherEvent; event != null; event = event.nextEvent) {
                    if (event.eventType == MatcherEventType.TRADE) {
                        trades++;
                        volume += event.size;
                    }
                }
            }
            default -> {
            }
        }
    }

    private void barrier() {
        expectSuccess(api.submitCommandAsync(ApiNop.builder().build()), "barrier");
    }

    private void expectSuccess(CompletableFuture<CommandResultCode> result, String what) {
        CommandResultCode code = await(result, what);
        if (code != CommandResultCode.SUCCESS) {
            throw new IllegalStateException(name() + ": " + what + " failed: " + code);
        }
    }

    @Override
    public long runAll() {
        ApiCommand[] cmds = commands;
        for (ApiCommand cmd : cmds) {
            api.submitCommand(cmd);
        }
        barrier();
        return trades;
    }

    @Override
    public long runOne(int index) {
        if (index != nextOne++) {
            throw new IllegalStateException("runOne must go in order: expected " + (nextOne - 1) + ", got " + index);
        }
        await(api.submitCommandAsync(commands[index]), "measured op " + index);
        return trades;
    }

    /**
     * Waits for a result, but not for ever: when a pipeline thread dies (exchange-core logs it
     * through SLF4J, which may go nowhere), futures never complete.
     */
    private <T> T await(CompletableFuture<T> result, String what) {
        try {
            return result.get(RESULT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name() + ": no result for " + what + " within "
                    + RESULT_TIMEOUT_SECONDS + " s; is a pipeline thread dead? (JVM flags: see MatchingThroughputBenchmark)", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name() + ": " + what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name() + ": interrupted waiting for " + what, e);
        }
    }

    @Override
    public void verify() {
        if (trades != mix.expectedTrades() || volume != mix.expectedVolume() || rejections != 0) {
            throw new IllegalStateException(name() + ": trades " + trades + " (mix expects " + mix.expectedTrades()
                    + "), volume " + volume + " (expects " + mix.expectedVolume() + "), rejections " + rejections
                    + ", first " + firstRejection);
        }
    }

    private void resetCounts() {
        trades = 0;
        volume = 0;
        rejections = 0;
        firstRejection = null;
    }

    @Override
    public void close() {
        shutdownCore();
        mix = null;
        prefill = null;
        commands = null;
    }

    private void shutdownCore() {
        if (core != null) {
            core.shutdown();
            core = null;
            api = null;
        }
    }
}
