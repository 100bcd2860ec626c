package dev.minnow.compression.quant;

import dev.minnow.compression.report.HistogramChart;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.QGemm;
import dev.minnow.engine.op.QLinearConv;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of each quantized layer before and after quantization, drawn as SVG histograms: the
 * float weights of the prepared graph (BN folded) and the values the int8 layer really uses,
 * {@code S2[c] * q}. Per tensor, the second is a row of spikes on one grid of 255 levels; per
 * channel, every filter has its own grid and the spikes blur into the float shape.
 */
public final class WeightHistograms {
    private WeightHistograms() {
    }

    /** One layer's weights: float, and dequantized from int8. */
    public record Layer(String name, float[] before, float[] after) {
    }

    /** The QLinearConv and QGemm layers of {@code quantized} with their weights in {@code prepared} (same node names). */
    public static List<Layer> of(Graph prepared, Graph quantized) {
        List<Layer> layers = new ArrayList<>();
        for (Node n : quantized.nodes()) {
            boolean conv = n.op() instanceof QLinearConv;
            if (!conv && !(n.op() instanceof QGemm)) {
                continue;
            }
            Node original = prepared.node(n.name());
            Tensor w = original == null ? null : prepared.initializer(original.input(1));
            Tensor q = quantized.initializer(n.input(3));
            Tensor s = quantized.initializer(n.input(4));
            if (w == null || q == null || s == null) {
                continue;
            }
            // the channel of element i: axis 0 for conv and transposed Gemm weights, axis 1 otherwise
            boolean rows = conv || ((QGemm) n.op()).transB();
            int channels = s.size();
            int inner = rows ? q.size() / Math.max(1, channels) : 1;
            byte[] v = q.byteData();
            float[] after = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                int c = channels == 1 ? 0 : rows ? i / inner : i % channels;
                after[i] = v[i] * s.get(c);
            }
            layers.add(new Layer(n.name(), w.toFloatArray(), after));
        }
        return layers;
    }

    /** Writes {@code DIR/<model>-<layer>-int8.svg} for every layer; returns the files. */
    public static List<Path> write(List<Layer> layers, String model, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (Layer l : layers) {
            Path f = dir.resolve(model + "-" + l.name().replaceAll("[^A-Za-z0-9_.-]", "_") + "-int8.svg");
            new HistogramChart(model + " " + l.name() + ": weights before and after int8 quantization", "weight",
                    "count", 160).series("float32", l.before()).series("int8 (S2 * q)", l.after()).write(f);
            files.add(f);
        }
        return files;
    }
}
