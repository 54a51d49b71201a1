package io.marketstream.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Bad options are refused with a clear message before any process starts. */
class LoadHarnessOptionsTest {
    @Test
    void shouldRefuseANonPositiveRate() {
        assertThat(LoadHarness.run("--rate", "0")).isEqualTo(2);
    }

    @Test
    void shouldRefuseAnUnknownOption() {
        assertThat(LoadHarness.run("--rates", "5")).isEqualTo(2);
    }

    @Test
    void shouldReadDurationsWithUnits() {
        LoadHarness.DurationConverter converter = new LoadHarness.DurationConverter();
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("7")).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void shouldRefuseADurationItCannotRead() {
        LoadHarness.DurationConverter converter = new LoadHarness.DurationConverter();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("soon");
    }
}
