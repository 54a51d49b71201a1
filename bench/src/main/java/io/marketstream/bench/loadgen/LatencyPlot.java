package io.marketstream.bench.loadgen;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * An HdrHistogram percentile-distribution plot as a PNG, drawn as HdrHistogram's own plotter draws it:
 * latency against percentile, the x axis logarithmic in {@code 1 / (1 - percentile)}, so that 90%, 99%,
 * 99.9%… are equally spaced (drawn as a linear axis in {@code log10(1 / (1 - percentile))} with its ticks
 * labelled as percentiles: XChart's own logarithmic axis does not take custom tick labels). The y axis (ms)
 * is logarithmic too, unlike HdrHistogram's, since one plot may hold a run within target (milliseconds) and an
 * overloaded one (seconds). The points come from HdrHistogram's percentile iteration
 * ({@link Histogram#percentiles}, the iteration behind {@code outputPercentileDistribution}); the chart is
 * XChart's. Headless: needs no display.
 */
final class LatencyPlot {
    static final int WIDTH = 1000;
    static final int HEIGHT = 600;
    /** Percentile ticks per halving of the distance to 100%, as {@code outputPercentileDistribution} uses. */
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    /** The bottom of the logarithmic y axis: smaller latencies (a 0 µs sample) are drawn there. */
    private static final double MIN_MS = 0.01;

    private LatencyPlot() {
    }

    /**
     * Writes the plot of every histogram (µs values, one line each, in the map's order) to {@code file}, with
     * dashed horizontal lines at the {@code targets} (label to milliseconds).
     */
    static void write(Path file, String title, Map<String, Histogram> histograms, Map<String, Double> targets)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("percentile").yAxisTitle("latency (ms)").build();
        chart.getStyler().setxAxisTickLabelsFormattingFunction(LatencyPlot::percentileLabel).setXAxisMin(0.0);
        // latencies here span milliseconds to seconds: a logarithmic y axis keeps the targets and the tail readable
        chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        if (histograms.size() + targets.size() <= 5) {
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS)
                    .setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        } else {
            // a ramp's many lines: one legend entry a line, beside the plot, so none is cut off
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        }
        double maxX = 1;
        for (Map.Entry<String, Histogram> e : histograms.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue v : e.getValue().percentiles(TICKS_PER_HALF_DISTANCE)) {
                double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100.0) {
                    break; // 1 / (1 - 1) is off the axis, as in HdrHistogram's plots
                }
                x.add(Math.log10(1 / (1 - percentile / 100)));
                y.add(Math.max(MIN_MS, v.getValueIteratedTo() / 1000.0));
            }
            if (x.isEmpty()) {
                continue;
            }
            maxX = Math.max(maxX, x.get(x.size() - 1));
            XYSeries series = chart.addSeries(e.getKey(), x, y);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineWidth(2f);
        }
        for (Map.Entry<String, Double> target : targets.entrySet()) {
            XYSeries line = chart.addSeries(target.getKey(), new double[] {0, maxX},
                    new double[] {target.getValue(), target.getValue()});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        double decades = Math.max(1, Math.ceil(maxX));
        // one tick per decade (90%, 99%, 99.9%…): the hint is the axis length in pixels per tick, roughly
        chart.getStyler().setXAxisMax(decades).setXAxisTickMarkSpacingHint((int) ((WIDTH - 160) / decades));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** The percentile at {@code x = log10(1 / (1 - percentile))}: 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%, 0.3 → 50%. */
    static String percentileLabel(double x) {
        double percentile = 100 * (1 - Math.pow(10, -x));
        if (Math.abs(x - Math.rint(x)) < 1e-9 && x >= 1) {
            int nines = (int) Math.rint(x);
            return nines == 1 ? "90%" : nines == 2 ? "99%" : "99." + "9".repeat(nines - 2) + "%";
        }
        return new java.math.BigDecimal(percentile).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString() + "%";
    }
}
