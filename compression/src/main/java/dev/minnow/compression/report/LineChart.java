package dev.minnow.compression.report;

import dev.minnow.engine.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG file: axes with "nice" ticks (steps of 1, 2 or 5 times a power
 * of ten), a light grid, one polyline with point markers per series, an optional dashed reference
 * line, a title, axis labels and a legend. No dependency; the output is plain text any browser
 * or markdown viewer shows.
 *
 * <pre>
 *   new LineChart("Sensitivity", "sparsity (%)", "test accuracy (%)")
 *       .series("fc1", xs, ys).series("fc2", xs, ys2).write(Path.of("sensitivity.svg"));
 * </pre>
 * It also draws scatter plots: {@link #points} adds markers without a line, and {@link #logX()}
 * puts the x axis on a logarithmic scale (ticks at 1, 2 and 5 times the powers of ten), where
 * {@code x} is drawn at {@code log10(x)}, so that each factor of ten takes the same width (model
 * sizes from 10 kB to 2 MB, say).
 */
public final class LineChart {
    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final int LEFT = 70;
    private static final int RIGHT = 190;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;

    private record Series(String name, double[] x, double[] y, boolean line) {
    }

    private record Reference(String label, double y) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();
    private double[] xRange;
    private double[] yRange;
    private boolean logX;
    private boolean labelPoints;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a series; points whose y is NaN are left out of its line. */
    public LineChart series(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but " + y.length
                    + " y values");
        }
        series.add(new Series(name, x.clone(), y.clone(), true));
        return this;
    }

    /** Adds a series drawn as markers only, without a line (a scatter plot); NaN points are left out. */
    public LineChart points(String name, double[] x, double[] y) {
        series(name, x, y);
        Series s = series.remove(series.size() - 1);
        series.add(new Series(s.name(), s.x(), s.y(), false));
        return this;
    }

    /** Writes each {@link #points} series' name next to its markers (for scatter plots of one point per series). */
    public LineChart labelPoints() {
        this.labelPoints = true;
        return this;
    }

    /** Puts the x axis on a logarithmic scale; every x must then be positive (or NaN, left out). */
    public LineChart logX() {
        this.logX = true;
        return this;
    }

    /** A dashed horizontal line across the plot, labelled in the legend. */
    public LineChart reference(String label, double y) {
        references.add(new Reference(label, y));
        return this;
    }

    /** Fixes the x axis (else it spans the data, widened to nice ticks). */
    public LineChart xRange(double min, double max) {
        this.xRange = new double[] {min, max};
        return this;
    }

    /** Fixes the y axis (else it spans the data and the reference lines, widened to nice ticks). */
    public LineChart yRange(double min, double max) {
        this.yRange = new double[] {min, max};
        return this;
    }

    /** Writes the SVG atomically. */
    public void write(Path file) throws IOException {
        AtomicFile.write(file, toSvg().getBytes(StandardCharsets.UTF_8));
    }

    /** The SVG document. */
    public String toSvg() {
        double[] xr = xRange != null ? xRange : logX ? SvgAxis.logRange(dataRange(true)[0], dataRange(true)[1])
                : SvgAxis.niceRange(dataRange(true));
        double[] yr = yRange != null ? yRange : SvgAxis.niceRange(dataRange(false));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">%s</text>%n",
                LEFT + plotW / 2, SvgAxis.escape(title)));
        // grid and ticks
        for (double t : logX ? SvgAxis.logTicks(xr) : SvgAxis.ticks(xr)) {
            double px = xPosition(t, xr, plotW);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>%n",
                    px, TOP, px, TOP + plotH));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
                    px, TOP + plotH, px, TOP + plotH + 5));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotH + 19, logX ? SvgAxis.shortLabel(t) : SvgAxis.label(t)));
        }
        for (double t : SvgAxis.ticks(yr)) {
            double py = TOP + plotH - (t - yr[0]) / (yr[1] - yr[0]) * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n",
                    LEFT - 5, py, LEFT, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 8, py + 4, SvgAxis.label(t)));
        }
        // axes
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>%n",
                LEFT, TOP, plotW, plotH));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 14, SvgAxis.escape(xLabel)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                TOP + plotH / 2, SvgAxis.escape(yLabel)));
        // clipped data
        s.append(String.format(Locale.ROOT, "<clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/></clipPath>%n",
                LEFT, TOP, plotW, plotH));
        s.append("<g clip-path=\"url(#plot)\">\n");
        for (Reference r : references) {
            double py = TOP + plotH - (r.y() - yr[0]) / (yr[1] - yr[0]) * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\""
                    + " stroke-dasharray=\"6 4\"/>%n", LEFT, py, LEFT + plotW, py));
        }
        for (int i = 0; i < series.size(); i++) {
            Series se = series.get(i);
            String color = PALETTE[i % PALETTE.length];
            StringBuilder points = new StringBuilder();
            StringBuilder markers = new StringBuilder();
            for (int j = 0; j < se.x().length; j++) {
                if (Double.isNaN(se.y()[j]) || Double.isNaN(se.x()[j])) {
                    continue;
                }
                double px = xPosition(se.x()[j], xr, plotW);
                double py = TOP + plotH - (se.y()[j] - yr[0]) / (yr[1] - yr[0]) * plotH;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                markers.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/>%n",
                        px, py, se.line() ? "3" : "4.5", color));
                if (labelPoints && !se.line()) {
                    markers.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
                            + " fill=\"#333\">%s</text>%n", px + 6, py - 6, SvgAxis.escape(se.name())));
                }
            }
            if (se.line()) {
                s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                        + " points=\"%s\"/>%n", color, points.toString().strip()));
            }
            s.append(markers);
        }
        s.append("</g>\n");
        // legend
        double ly = TOP + 10;
        double lx = LEFT + plotW + 16;
        for (int i = 0; i < series.size(); i++, ly += 20) {
            String color = PALETTE[i % PALETTE.length];
            if (series.get(i).line()) {
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
                        + " stroke=\"%s\" stroke-width=\"2\"/>%n", lx, ly, lx + 22, ly, color));
            }
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", lx + 11, ly, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 28, ly + 4,
                    SvgAxis.escape(series.get(i).name())));
        }
        for (Reference r : references) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\""
                    + " stroke-dasharray=\"6 4\"/>%n", lx, ly, lx + 22, ly));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 28, ly + 4,
                    SvgAxis.escape(r.label())));
            ly += 20;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** Where {@code x} falls across the plot: linear in x, or in log10(x) on a logarithmic axis. */
    private double xPosition(double x, double[] xr, double plotW) {
        if (logX) {
            return LEFT + (Math.log10(x) - Math.log10(xr[0])) / (Math.log10(xr[1]) - Math.log10(xr[0])) * plotW;
        }
        return LEFT + (x - xr[0]) / (xr[1] - xr[0]) * plotW;
    }

    private double[] dataRange(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series se : series) {
            for (int j = 0; j < se.x().length; j++) {
                double v = x ? se.x()[j] : se.y()[j];
                if (!Double.isNaN(v) && !Double.isNaN(x ? se.y()[j] : se.x()[j])) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (!x) {
            for (Reference r : references) {
                min = Math.min(min, r.y());
                max = Math.max(max, r.y());
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        return new double[] {min, max};
    }
}
