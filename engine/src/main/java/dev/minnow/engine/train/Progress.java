package dev.minnow.engine.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress for people: on a terminal, one line redrawn in place with a bar, the epoch,
 * batch, loss, accuracy, images per second and time left; otherwise (a log file, CI) a plain line
 * every tenth of an epoch and one per epoch.
 */
final class Progress {
    private static final int BAR = 24;
    private final PrintStream out;
    private final int epochs;
    private final int steps;
    private final boolean terminal;
    private long lastDraw;

    Progress(PrintStream out, int epochs, int steps) {
        this.out = out;
        this.epochs = epochs;
        this.steps = steps;
        this.terminal = out != null && System.console() != null && out == System.out;
    }

    void step(int epoch, int step, double loss, double accuracy, int images, long nanos) {
        if (out == null) {
            return;
        }
        double seconds = nanos / 1e9;
        double rate = images / Math.max(seconds, 1e-9);
        int done = step + 1;
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L && done != steps) {
                return;
            }
            lastDraw = now;
            int filled = (int) ((long) BAR * done / steps);
            double eta = (steps - done) * seconds / done;
            out.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d loss %.4f acc %.2f%% %.0f img/s ETA %s   ",
                    epoch + 1, epochs, "=".repeat(filled), " ".repeat(BAR - filled), done, steps, loss,
                    100 * accuracy, rate, formatSeconds(eta));
            out.flush();
        } else if (steps >= 10 && done % (steps / 10) == 0 && done != steps) {
            out.printf(Locale.ROOT, "epoch %d/%d batch %d/%d loss %.4f acc %.2f%% %.0f img/s%n",
                    epoch + 1, epochs, done, steps, loss, 100 * accuracy, rate);
        }
    }

    void epochDone(EpochStats s) {
        if (out == null) {
            return;
        }
        if (terminal) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        out.println(epochLine(s, epochs));
    }

    /** The line closing an epoch; without a test set (the trainer evaluated nothing) it says so instead of "NaN". */
    static String epochLine(EpochStats s, int epochs) {
        String test = Double.isNaN(s.testLoss()) ? "no test set"
                : String.format(Locale.ROOT, "test loss %.4f acc %.2f%%", s.testLoss(), 100 * s.testAccuracy());
        return String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%% | %s | %.1f s, %.0f img/s, lr %.4g",
                s.epoch(), epochs, s.trainLoss(), 100 * s.trainAccuracy(), test, s.seconds(), s.imagesPerSecond(),
                s.learningRate());
    }

    static String formatSeconds(double s) {
        if (!Double.isFinite(s)) {
            return "?";
        }
        long t = Math.round(s);
        return t >= 60 ? (t / 60) + "m" + String.format(Locale.ROOT, "%02d", t % 60) + "s" : t + "s";
    }
}
