package io.marketstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarketCatalogTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadMarketRulesFromAFileInDecimalUnits() throws Exception {
        Path file = dir.resolve("markets.json");
        Files.writeString(file, "[{\"symbol\":\"SOL-USDC\",\"priceScale\":3,\"qtyScale\":2,\"tickSize\":\"0.005\","
                + "\"lotSize\":\"0.10\",\"minQty\":\"1.00\",\"minNotional\":\"5\",\"priceBandBps\":500,"
                + "\"makerFeeBps\":1,\"takerFeeBps\":3,\"feeAccount\":9,\"selfTradePrevention\":\"CANCEL_OLDEST\"}]");
        MarketSpec spec = MarketCatalog.load(file).get("SOL-USDC");
        assertThat(spec.base()).isEqualTo("SOL");
        assertThat(spec.quote()).isEqualTo("USDC");
        assertThat(spec.tickSize()).isEqualTo(5);
        assertThat(spec.lotSize()).isEqualTo(10);
        assertThat(spec.minQty()).isEqualTo(100);
        assertThat(spec.minNotional()).isEqualTo(5_00000);
        assertThat(spec.priceBandBps()).isEqualTo(500);
        assertThat(spec.feeAccount()).isEqualTo(9);
        assertThat(spec.selfTradePrevention()).isEqualTo(SelfTradePrevention.CANCEL_OLDEST);
    }

    @Test
    void shouldNameTheMarketAndFieldThatIsWrong() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "[{\"symbol\":\"SOL-USDC\",\"priceScale\":3,\"qtyScale\":2,\"tickSize\":\"0.0001\"}]");
        assertThatThrownBy(() -> MarketCatalog.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SOL-USDC").hasMessageContaining("0.0001");
        assertThatThrownBy(() -> MarketCatalog.load(dir.resolve("missing.json")))
                .hasMessageContaining("cannot read markets file");
    }

    @Test
    void specsAreEqualByAllRulesAndHashedBySymbol() {
        MarketSpec btc = MarketCatalog.defaults().get("BTC-USD");
        MarketSpec same = new MarketSpec(btc.symbol(), btc.base(), btc.quote(), btc.priceScale(), btc.qtyScale(),
                btc.tickSize(), btc.lotSize(), btc.minQty(), btc.minNotional(), btc.maxPrice(), btc.maxQty(),
                btc.priceBandBps(), btc.makerFeeBps(), btc.takerFeeBps(), btc.feeAccount(), btc.selfTradePrevention());
        MarketSpec otherFee = new MarketSpec(btc.symbol(), btc.base(), btc.quote(), btc.priceScale(), btc.qtyScale(),
                btc.tickSize(), btc.lotSize(), btc.minQty(), btc.minNotional(), btc.maxPrice(), btc.maxQty(),
                btc.priceBandBps(), btc.makerFeeBps() + 1, btc.takerFeeBps(), btc.feeAccount(),
                btc.selfTradePrevention());
        assertThat(same).isEqualTo(btc).hasSameHashCodeAs(btc);
        assertThat(otherFee).isNotEqualTo(btc);
        assertThat(java.util.Set.of(btc, MarketCatalog.defaults().get("ETH-USD"))).contains(same).doesNotContain(otherFee);
    }
}
