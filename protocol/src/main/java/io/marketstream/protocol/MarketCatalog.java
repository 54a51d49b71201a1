package io.marketstream.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The markets a deployment trades, by symbol. Immutable. */
public final class MarketCatalog {
    private final Map<String, MarketSpec> bySymbol;
    private final List<MarketSpec> ordered;

    public MarketCatalog(Collection<MarketSpec> markets) {
        Map<String, MarketSpec> map = new LinkedHashMap<>();
        for (MarketSpec spec : markets) {
            if (map.putIfAbsent(spec.symbol(), spec) != null) {
                throw new IllegalArgumentException("market " + spec.symbol() + " is defined twice");
            }
        }
        this.bySymbol = Map.copyOf(map);
        this.ordered = List.copyOf(map.values());
    }

    /**
     * The demo's markets: BTC-USD and ETH-USD, prices to the cent, quantities to 1e-4, a minimum
     * notional of 1 USD, a 10% price band, maker 2 bps and taker 5 bps into account 0.
     */
    public static MarketCatalog defaults() {
        return new MarketCatalog(List.of(demoMarket("BTC-USD"), demoMarket("ETH-USD")));
    }

    private static MarketSpec demoMarket(String symbol) {
        return MarketSpec.builder(symbol, 2, 4)
                .minNotional(ScaledDecimal.unit(6))
                .priceBandBps(1_000)
                .makerFeeBps(2)
                .takerFeeBps(5)
                .build();
    }

    /**
     * Reads a markets file: a JSON array of {@link MarketConfig}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static MarketCatalog load(Path file) {
        try {
            MarketConfig[] configs = Json.read(Files.readAllBytes(file), MarketConfig[].class);
            if (configs == null || configs.length == 0) {
                throw new IllegalArgumentException("no markets in it");
            }
            List<MarketSpec> specs = new ArrayList<>();
            for (MarketConfig config : configs) {
                specs.add(config.toSpec());
            }
            return new MarketCatalog(specs);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read markets file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("markets file " + file + ": " + e.getMessage(), e);
        }
    }

    public Optional<MarketSpec> find(String symbol) {
        return symbol == null ? Optional.empty() : Optional.ofNullable(bySymbol.get(symbol));
    }

    /** @throws IllegalArgumentException naming the unknown market */
    public MarketSpec get(String symbol) {
        return find(symbol).orElseThrow(() -> new IllegalArgumentException("unknown market: " + symbol));
    }

    public List<MarketSpec> all() {
        return ordered;
    }
}
