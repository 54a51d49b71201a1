package io.marketstream.engine;

import java.util.List;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;

/** The markets of the crash test, shared by the test and the engine processes it starts and kills. */
final class CrashTestMarkets {
    static final MarketSpec BTC = MatchingEngineTest.SPEC;
    static final MarketSpec ETH = MarketSpec.builder("ETH-USD", 2, 4)
            .tickSize(100).lotSize(100).minQty(100).minNotional(10_000_000)
            .priceBandBps(1_000).makerFeeBps(10).takerFeeBps(20).feeAccount(0)
            .maxPrice(100_000_000).maxQty(1_000_000)
            .build();
    static final MarketCatalog CATALOG = new MarketCatalog(List.of(BTC, ETH));

    private CrashTestMarkets() {
    }
}
