package dev.minnow.compression.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The axis arithmetic and text helpers the SVG charts share: "nice" ranges and tick steps (1, 2 or
 * 5 times a power of ten, as a person would label an axis), tick positions, tick labels without
 * trailing zeros, and XML escaping.
 */
final class SvgAxis {
    private SvgAxis() {
    }

    /** {@code [lo, hi]} widened outwards to multiples of its tick step; a degenerate range gets a width of 1. */
    static double[] niceRange(double lo, double hi) {
        if (hi - lo < 1e-12) {
            lo -= 0.5;
            hi += 0.5;
        }
        double step = niceStep((hi - lo) / 6);
        return new double[] {Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step};
    }

    /** {@link #niceRange(double, double)} of {@code [r[0], r[1]]}. */
    static double[] niceRange(double[] r) {
        return niceRange(r[0], r[1]);
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Tick positions: multiples of a nice step inside the range {@code [r[0], r[1]]}, about 5 to 10 of them. */
    static List<Double> ticks(double[] r) {
        double step = niceStep((r[1] - r[0]) / 8);
        List<Double> t = new ArrayList<>();
        long first = (long) Math.ceil(r[0] / step - 1e-9);
        long last = (long) Math.floor(r[1] / step + 1e-9);
        for (long i = first; i <= last; i++) {
            t.add(i * step);
        }
        return t;
    }

    /**
     * A logarithmic axis's range: {@code [lo, hi]} (both positive) widened outwards to powers of
     * ten, {@code [10^floor(log10 lo), 10^ceil(log10 hi)]}; a single decade when lo = hi is a power of ten.
     */
    static double[] logRange(double lo, double hi) {
        if (!(lo > 0) || !(hi > 0)) {
            throw new IllegalArgumentException("a logarithmic axis needs positive values, got the range [" + lo + ", "
                    + hi + "]");
        }
        double a = Math.pow(10, Math.floor(Math.log10(lo) + 1e-9));
        double b = Math.pow(10, Math.ceil(Math.log10(hi) - 1e-9));
        return new double[] {a, b > a ? b : a * 10};
    }

    /** Ticks of a logarithmic axis: 1, 2 and 5 times each power of ten inside {@code [r[0], r[1]]}. */
    static List<Double> logTicks(double[] r) {
        List<Double> t = new ArrayList<>();
        for (int e = (int) Math.floor(Math.log10(r[0]) + 1e-9); e <= (int) Math.ceil(Math.log10(r[1]) - 1e-9); e++) {
            for (double m : new double[] {1, 2, 5}) {
                double v = m * Math.pow(10, e);
                if (v >= r[0] * (1 - 1e-9) && v <= r[1] * (1 + 1e-9)) {
                    t.add(v);
                }
            }
        }
        return t;
    }

    /** A tick label with an SI suffix for thousands and millions: 500, 2k, 10k, 1M. */
    static String shortLabel(double v) {
        if (Math.abs(v) >= 1e6) {
            return label(v / 1e6) + "M";
        }
        if (Math.abs(v) >= 1e3) {
            return label(v / 1e3) + "k";
        }
        return label(v);
    }

    /** A tick label: an integer without a decimal point, otherwise up to 4 decimals without trailing zeros. */
    static String label(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%d", (long) Math.rint(v));
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** Text made safe for SVG (XML) content and attribute values. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
