package io.marketstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ScaledDecimalTest {

    @Test
    void shouldParseAndFormatAtScale() {
        assertThat(ScaledDecimal.parse("123.45", 2)).isEqualTo(12345);
        assertThat(ScaledDecimal.parse("123.4", 2)).isEqualTo(12340);
        assertThat(ScaledDecimal.parse("7", 4)).isEqualTo(70000);
        assertThat(ScaledDecimal.parse("-0.01", 2)).isEqualTo(-1);
        assertThat(ScaledDecimal.format(12345, 2)).isEqualTo("123.45");
        assertThat(ScaledDecimal.format(5, 4)).isEqualTo("0.0005");
        assertThat(ScaledDecimal.format(-1, 2)).isEqualTo("-0.01");
        assertThat(ScaledDecimal.format(42, 0)).isEqualTo("42");
    }

    @Test
    void shouldRefuseRoundingMalformedAndOverflowingInput() {
        assertThatThrownBy(() -> ScaledDecimal.parse("1.005", 2)).hasMessageContaining("more than 2 decimal places");
        for (String bad : new String[] {"", "abc", "1.2.3", "1e5", ".5", "5.", "-", " 1", "+1", "１"}) {
            assertThatThrownBy(() -> ScaledDecimal.parse(bad, 2)).as(bad).isInstanceOf(NumberFormatException.class);
        }
        assertThatThrownBy(() -> ScaledDecimal.parse("99999999999999999999", 2)).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> ScaledDecimal.parse(null, 2)).isInstanceOf(NumberFormatException.class);
    }

    @Property
    void formatThenParseIsIdentity(@ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long value,
                                   @ForAll @IntRange(min = 0, max = 8) int scale) {
        String text = ScaledDecimal.format(value, scale);
        assertThat(ScaledDecimal.parse(text, scale)).isEqualTo(value);
        assertThat(new BigDecimal(text)).isEqualByComparingTo(BigDecimal.valueOf(value, scale));
    }

    @Property
    void shouldFormatEveryLongAtEveryScaleAsItsPlainDecimal(@ForAll long value,
                                                            @ForAll @IntRange(min = 0, max = 18) int scale) {
        long v = value == Long.MIN_VALUE ? Long.MAX_VALUE : value;
        String expected = BigDecimal.valueOf(v, scale).toPlainString();
        assertThat(ScaledDecimal.format(v, scale)).isEqualTo(expected);
        byte[] scratch = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH + 3];
        scratch[0] = 'x';
        int start = ScaledDecimal.formatInto(v, scale, scratch);
        assertThat(new String(scratch, start, scratch.length - start, java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(expected);
        assertThat(scratch[0]).as("nothing written before the text").isEqualTo((byte) 'x');
    }

    @Test
    void shouldFormatTheEdgesOfTheRange() {
        for (int scale = 0; scale <= 18; scale++) {
            for (long v : new long[] {0, 1, -1, 9, 10, 99, 100, Long.MAX_VALUE, -Long.MAX_VALUE, 999_999_999_999_999_999L}) {
                assertThat(ScaledDecimal.format(v, scale)).as(v + " at " + scale)
                        .isEqualTo(BigDecimal.valueOf(v, scale).toPlainString());
            }
        }
        assertThatThrownBy(() -> ScaledDecimal.format(Long.MIN_VALUE, 2)).isInstanceOf(ArithmeticException.class);
    }
}
