package dev.minnow.compression.report;

import dev.minnow.engine.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Histograms as a standalone SVG file: one or more distributions over a shared set of equal-width
 * bins, drawn as overlaid bars (the first filled and pale, the next ones narrower and darker, so a
 * continuous distribution and the spikes of a clustered one read together), optional point
 * markers along the x axis (e.g. codebook values), axes with "nice" ticks, a title and a legend.
 * No dependency.
 *
 * <pre>
 *   new HistogramChart("fc1 weights", "weight", "count", 120)
 *       .series("before clustering", before).series("after clustering", after)
 *       .markers("initial centroids", init).write(Path.of("fc1.svg"));
 * </pre>
 */
public final class HistogramChart {
    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};
    private static final int WIDTH = 820;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 260;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;

    private record Series(String name, float[] values) {
    }

    private record Markers(String name, float[] x) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final int bins;
    private final List<Series> series = new ArrayList<>();
    private final List<Markers> markers = new ArrayList<>();

    /**
     * @param bins number of equal-width bins spanning all the values of every series
     */
    public HistogramChart(String title, String xLabel, String yLabel, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
        }
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.bins = bins;
    }

    /** Adds a distribution (non-finite values are skipped). */
    public HistogramChart series(String name, float[] values) {
        series.add(new Series(name, values.clone()));
        return this;
    }

    /** Adds points drawn as crosses under the x axis. */
    public HistogramChart markers(String name, float[] x) {
        markers.add(new Markers(name, x.clone()));
        return this;
    }

    /** The count of each bin of {@code values} over {@code [min, max]}; the maximum falls in the last bin. */
    public static long[] counts(float[] values, double min, double max, int bins) {
        long[] c = new long[bins];
        double width = (max - min) / bins;
        for (float v : values) {
            if (!Float.isFinite(v) || v < min || v > max) {
                continue;
            }
            int b = width <= 0 ? 0 : (int) Math.min(bins - 1, Math.floor((v - min) / width));
            c[b]++;
        }
        return c;
    }

    public void write(Path file) throws IOException {
        AtomicFile.write(file, toSvg().getBytes(StandardCharsets.UTF_8));
    }

    /** The SVG document. */
    public String toSvg() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series se : series) {
            for (float v : se.values()) {
                if (Float.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (Markers m : markers) {
            for (float v : m.x()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            lo = -1;
            hi = 1;
        }
        if (hi - lo < 1e-12) {
            lo -= 0.5;
            hi += 0.5;
        }
        List<long[]> counts = new ArrayList<>();
        long top = 1;
        for (Series se : series) {
            long[] c = counts(se.values(), lo, hi, bins);
            counts.add(c);
            for (long n : c) {
                top = Math.max(top, n);
            }
        }
        double[] xr = niceRange(lo, hi);
        double[] yr = niceRange(0, top);
        yr[0] = 0;
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">%s</text>%n",
                LEFT + plotW / 2, escape(title)));
        for (double t : ticks(xr)) {
            double px = LEFT + (t - xr[0]) / (xr[1] - xr[0]) * plotW;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                    px, TOP + plotH, px, TOP + plotH + 5));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotH + 19, label(t)));
        }
        for (double t : ticks(yr)) {
            double py = TOP + plotH - (t - yr[0]) / (yr[1] - yr[0]) * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 8, py + 4, label(t)));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\""
                + " stroke=\"black\"/>%n", LEFT, TOP, plotW, plotH));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 12, escape(xLabel)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "%s</text>%n", TOP + plotH / 2, escape(yLabel)));
        double binW = (hi - lo) / bins;
        for (int i = 0; i < counts.size(); i++) {
            String color = PALETTE[i % PALETTE.length];
            double shrink = i == 0 ? 1.0 : 0.5;
            double opacity = i == 0 ? 0.45 : 0.9;
            long[] c = counts.get(i);
            for (int b = 0; b < bins; b++) {
                if (c[b] == 0) {
                    continue;
                }
                double x0 = lo + b * binW + binW * (1 - shrink) / 2;
                double px = LEFT + (x0 - xr[0]) / (xr[1] - xr[0]) * plotW;
                double pw = Math.max(0.8, binW * shrink / (xr[1] - xr[0]) * plotW);
                double ph = c[b] / yr[1] * plotH;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\""
                        + " fill=\"%s\" fill-opacity=\"%.2f\"/>%n", px, TOP + plotH - ph, pw, ph, color, opacity));
            }
        }
        for (int i = 0; i < markers.size(); i++) {
            String color = PALETTE[(series.size() + i) % PALETTE.length];
            double py = TOP + plotH - 6 - 8 * i;
            for (float v : markers.get(i).x()) {
                double px = LEFT + (v - xr[0]) / (xr[1] - xr[0]) * plotW;
                s.append(cross(px, py, color));
            }
        }
        double ly = TOP + 10;
        double lx = LEFT + plotW + 16;
        for (int i = 0; i < series.size(); i++, ly += 20) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\""
                    + " fill-opacity=\"%s\"/>%n", lx, ly - 5, PALETTE[i % PALETTE.length], i == 0 ? "0.45" : "0.9"));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 26, ly + 4,
                    escape(series.get(i).name())));
        }
        for (int i = 0; i < markers.size(); i++, ly += 20) {
            s.append(cross(lx + 9, ly, PALETTE[(series.size() + i) % PALETTE.length]));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 26, ly + 4,
                    escape(markers.get(i).name())));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String cross(double x, double y, String color) {
        return String.format(Locale.ROOT, "<path d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                x - 3, y - 3, color);
    }

    private static double[] niceRange(double lo, double hi) {
        double step = niceStep((hi - lo) / 6);
        return new double[] {Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step};
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least {@code raw}. */
    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static List<Double> ticks(double[] r) {
        double step = niceStep((r[1] - r[0]) / 8);
        List<Double> t = new ArrayList<>();
        long first = (long) Math.ceil(r[0] / step - 1e-9);
        long last = (long) Math.floor(r[1] / step + 1e-9);
        for (long i = first; i <= last; i++) {
            t.add(i * step);
        }
        return t;
    }

    private static String label(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%d", (long) Math.rint(v));
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
