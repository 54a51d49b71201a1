package io.marketstream.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyPlotTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteADecodablePngOfTheConfiguredSizeForSeveralHistograms() throws Exception {
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        for (int run = 1; run <= 2; run++) {
            Histogram h = new Histogram(60_000_000L, 3);
            for (int i = 1; i <= 10_000; i++) {
                h.recordValue(run * (500L + i % 1_000 * 10L));
            }
            histograms.put("run " + run, h);
        }
        Path png = dir.resolve("plots/latency.png");

        LatencyPlot.write(png, "test", histograms, Map.of("p99 target 10 ms", 10.0));

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    }

    @Test
    void shouldPlotARampsManyStepsWithTheLegendBesideThePlot() throws Exception {
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        for (int step = 1; step <= 8; step++) {
            Histogram h = new Histogram(60_000_000L, 3);
            for (int i = 1; i <= 2_000; i++) {
                h.recordValue(step * 1_000L + i);
            }
            histograms.put("ramp " + step * 100 + "/s", h);
        }
        histograms.put("empty step", new Histogram(60_000_000L, 3));
        Path png = dir.resolve("ramp.png");

        LatencyPlot.write(png, "ramp", histograms, Map.of("p99 limit 50 ms", 50.0));

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    }

    @Test
    void shouldLabelTheLogAxisAsPercentiles() {
        assertThat(LatencyPlot.percentileLabel(0)).isEqualTo("0%");
        assertThat(LatencyPlot.percentileLabel(1)).isEqualTo("90%");
        assertThat(LatencyPlot.percentileLabel(2)).isEqualTo("99%");
        assertThat(LatencyPlot.percentileLabel(3)).isEqualTo("99.9%");
        assertThat(LatencyPlot.percentileLabel(5)).isEqualTo("99.999%");
        assertThat(LatencyPlot.percentileLabel(Math.log10(2))).isEqualTo("50%");
    }
}
