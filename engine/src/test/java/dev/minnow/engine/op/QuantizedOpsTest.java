package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quantized ops: the packed path in a plan against the reference path, and against float arithmetic. */
class QuantizedOpsTest {

    private static Tensor bytes(Random r, DataType type, int... dims) {
        byte[] b = new byte[Shape.of(dims).size()];
        r.nextBytes(b);
        return Tensor.ofBytes(Shape.of(dims), type, b);
    }

    private static Tensor scalarByte(DataType type, int v) {
        return Tensor.ofBytes(Shape.scalar(), type, (byte) v);
    }

    /** Runs {@code op} in a plan where every input but the first is an initializer (constant). */
    private static Tensor inPlan(Op op, Tensor... inputs) {
        Graph.Builder b = Graph.builder("one").input("x", inputs[0].type(), inputs[0].shape());
        List<String> names = new java.util.ArrayList<>(List.of("x"));
        for (int i = 1; i < inputs.length; i++) {
            if (inputs[i] == null) {
                names.add("");
                continue;
            }
            b.initializer("in" + i, inputs[i]);
            names.add("in" + i);
        }
        Graph g = b.node("n", op, names, List.of("y")).output("y").build();
        Plan p = Plan.compile(g, Map.of("x", inputs[0].shape()), PlanOptions.inference().withThreads(2));
        p.run(inputs[0]);
        return p.run(inputs[0]).get("y").copy();   // twice: the second run reuses the prepared weights
    }

    @Test
    void qlinearConvWithConstantWeightsMatchesTheReferenceLoops() {
        Random r = new Random(31);
        Object[][] cases = {
            {new QLinearConv(SlidingWindow.of2d(3, 1, 1), 1), new int[] {2, 3, 9, 9}, new int[] {8, 3, 3, 3}},
            {new QLinearConv(SlidingWindow.of2d(3, 2, 1), 4), new int[] {1, 8, 10, 10}, new int[] {8, 2, 3, 3}},
            {new QLinearConv(SlidingWindow.of2d(3, 2, 1), 6), new int[] {2, 6, 11, 11}, new int[] {6, 1, 3, 3}},
            {new QLinearConv(SlidingWindow.of2d(1, 1, 0), 1), new int[] {1, 16, 5, 5}, new int[] {12, 16, 1, 1}},
        };
        for (Object[] c : cases) {
            QLinearConv op = (QLinearConv) c[0];
            int[] xs = (int[]) c[1];
            int[] ws = (int[]) c[2];
            Tensor x = bytes(r, DataType.UINT8, xs);
            Tensor w = bytes(r, DataType.INT8, ws);
            float[] sw = new float[ws[0]];
            int[] bias = new int[ws[0]];
            for (int i = 0; i < sw.length; i++) {
                sw[i] = 0.001f + r.nextFloat() * 0.01f;
                bias[i] = r.nextInt(4001) - 2000;
            }
            Tensor[] in = {x, Tensor.scalar(0.02f), scalarByte(DataType.UINT8, 7), w, Tensor.of(Shape.of(ws[0]), sw),
                Tensor.ofBytes(Shape.of(ws[0]), DataType.INT8, new byte[ws[0]]), Tensor.scalar(0.05f),
                scalarByte(DataType.UINT8, 100), Tensor.ofInts(Shape.of(ws[0]), bias)};
            Tensor fast = inPlan(op, in);
            Tensor reference = RunOp.withRuntimeData(op, in)[0];
            assertThat(fast.contentEquals(reference)).as("%s", op).isTrue();
        }
    }

    @Test
    void qlinearMatMulWithConstantBMatchesTheReferenceLoops() {
        // the packed path (constant b, per-tensor a) against the reference loops, byte for byte:
        // batch 1 (the matrix-vector kernel), a 3-D a, int8 and uint8 b, per-column zero points, odd k
        Random r = new Random(33);
        int k = 37, n = 11;
        int[][] aShapes = {{1, k}, {2, 3, k}, {6, k}};
        DataType[] types = {DataType.INT8, DataType.UINT8};
        for (int[] as : aShapes) {
            for (DataType bType : types) {
                for (DataType aType : types) {
                    Tensor a = bytes(r, aType, as);
                    Tensor b = bytes(r, bType, k, n);
                    float[] sb = new float[n];
                    byte[] zb = new byte[n];
                    for (int j = 0; j < n; j++) {
                        sb[j] = 0.002f + r.nextFloat() * 0.01f;
                        zb[j] = (byte) (r.nextInt(41) - 20 + (bType == DataType.UINT8 ? 128 : 0));
                    }
                    Tensor[] in = {a, Tensor.scalar(0.04f), scalarByte(aType, aType == DataType.UINT8 ? 130 : -3), b,
                        Tensor.of(Shape.of(n), sb), Tensor.ofBytes(Shape.of(n), bType, zb), Tensor.scalar(0.08f),
                        scalarByte(DataType.UINT8, 125)};
                    Tensor fast = inPlan(new QLinearMatMul(), in);
                    Tensor reference = RunOp.withRuntimeData(new QLinearMatMul(), in)[0];
                    assertThat(fast.shape()).isEqualTo(reference.shape());
                    assertThat(fast.contentEquals(reference)).as("a %s %s, b %s", Shape.of(as), aType, bType).isTrue();
                }
            }
        }
    }

    @Test
    void qgemmAtBatchOneAndFiveMatchesTheReferenceAndTheFloatLayer() {
        Random r = new Random(32);
        int k = 50, n = 13;
        Tensor w = bytes(r, DataType.INT8, n, k);
        for (int batch : new int[] {1, 5}) {
            Tensor a = bytes(r, DataType.UINT8, batch, k);
            int[] bias = new int[n];
            for (int j = 0; j < n; j++) {
                bias[j] = r.nextInt(1001) - 500;
            }
            Tensor[] in = {a, Tensor.scalar(0.03f), scalarByte(DataType.UINT8, 128), w, Tensor.scalar(0.004f),
                scalarByte(DataType.INT8, 0), Tensor.ofInts(Shape.of(n), bias), Tensor.scalar(0.1f),
                scalarByte(DataType.UINT8, 120)};
            Tensor fast = inPlan(QGemm.linear(), in);
            Tensor reference = RunOp.withRuntimeData(QGemm.linear(), in)[0];
            assertThat(fast.contentEquals(reference)).isTrue();
            // the float layer, quantized once at the end: at most one step apart
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = bias[j] * 0.03 * 0.004;
                    for (int p = 0; p < k; p++) {
                        acc += 0.03 * ((a.byteData()[i * k + p] & 0xFF) - 128) * 0.004 * w.byteData()[j * k + p];
                    }
                    int want = (int) Math.max(0, Math.min(255, Math.rint(acc / 0.1) + 120));
                    assertThat(Math.abs((fast.byteData()[i * n + j] & 0xFF) - want)).isLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void qlinearAddRescalesBothInputsToTheOutputScale() {
        Random r = new Random(33);
        Tensor a = bytes(r, DataType.UINT8, 2, 3, 4, 4);
        Tensor b = bytes(r, DataType.UINT8, 2, 3, 4, 4);
        float sa = 0.05f, sb = 0.013f, sc = 0.07f;
        int za = 120, zb = 30, zc = 90;
        Tensor c = RunOp.output(new QLinearAdd(), a, Tensor.scalar(sa), scalarByte(DataType.UINT8, za), b,
                Tensor.scalar(sb), scalarByte(DataType.UINT8, zb), Tensor.scalar(sc), scalarByte(DataType.UINT8, zc));
        for (int i = 0; i < a.size(); i++) {
            double real = sa * ((a.byteData()[i] & 0xFF) - za) + sb * ((b.byteData()[i] & 0xFF) - zb);
            int want = (int) Math.max(0, Math.min(255, Math.rint(real / sc) + zc));
            assertThat(Math.abs((c.byteData()[i] & 0xFF) - want)).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void qlinearConcatMovesEachInputToTheOutputParameters() {
        Random r = new Random(34);
        Tensor a = bytes(r, DataType.INT8, 2, 3, 2, 2);
        Tensor b = bytes(r, DataType.INT8, 2, 1, 2, 2);
        Tensor y = RunOp.output(new QLinearConcat(1), Tensor.scalar(0.1f), scalarByte(DataType.INT8, -5),
                a, Tensor.scalar(0.1f), scalarByte(DataType.INT8, -5), b, Tensor.scalar(0.04f),
                scalarByte(DataType.INT8, 3));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 4, 2, 2));
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 12; i++) {   // a: copied unchanged
                assertThat(y.byteData()[n * 16 + i]).isEqualTo(a.byteData()[n * 12 + i]);
            }
            for (int i = 0; i < 4; i++) {
                double real = 0.04 * (b.byteData()[n * 4 + i] - 3);
                int want = (int) Math.max(-128, Math.min(127, Math.rint(real / 0.1) - 5));
                assertThat((int) y.byteData()[n * 16 + 12 + i]).isEqualTo(want);
            }
        }
    }

    @Test
    void quantizedPoolingAveragesInIntegers() {
        Random r = new Random(35);
        Tensor x = bytes(r, DataType.UINT8, 1, 2, 5, 5);
        float sx = 0.02f, sy = 0.015f;
        int zx = 10, zy = 20;
        Tensor g = RunOp.output(new QLinearGlobalAveragePool(), x, Tensor.scalar(sx), scalarByte(DataType.UINT8, zx),
                Tensor.scalar(sy), scalarByte(DataType.UINT8, zy));
        assertThat(g.shape()).isEqualTo(Shape.of(1, 2, 1, 1));
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            for (int i = 0; i < 25; i++) {
                sum += sx * ((x.byteData()[c * 25 + i] & 0xFF) - zx);
            }
            int want = (int) Math.max(0, Math.min(255, Math.rint(sum / 25 / sy) + zy));
            assertThat(g.byteData()[c] & 0xFF).isEqualTo(want);
        }
        Tensor p = RunOp.output(new QLinearAveragePool(SlidingWindow.of2d(3, 2, 1), false), x, Tensor.scalar(sx),
                scalarByte(DataType.UINT8, zx), Tensor.scalar(sy), scalarByte(DataType.UINT8, zy));
        Tensor xf = RunOp.output(new DequantizeLinear(), x, Tensor.scalar(sx), scalarByte(DataType.UINT8, zx));
        Tensor pf = RunOp.output(AveragePool.of2d(3, 2, 1), xf);
        for (int i = 0; i < pf.size(); i++) {
            int want = AffineQuantization.quantize(pf.get(i), sy, zy, 0, 255);
            assertThat(Math.abs((p.byteData()[i] & 0xFF) - want)).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void quantizeAndDequantizePerAxisAndInt32() {
        Tensor x = Tensor.of(Shape.of(2, 3), -1f, 0f, 1f, 2.5f, 3.5f, -8f);
        Tensor q = RunOp.output(new QuantizeLinear(1), x, Tensor.of(Shape.of(3), 0.5f, 1f, 2f),
                Tensor.ofBytes(Shape.of(3), DataType.INT8, (byte) 0, (byte) 1, (byte) -1));
        // column scales 0.5, 1, 2 and zero points 0, 1, -1: -1/0.5 = -2; 0/1 + 1 = 1; 1/2 = 0.5 -> 0, -1;
        // 2.5/0.5 = 5; 3.5 -> 4 (half to even) + 1 = 5; -8/2 - 1 = -5
        assertThat(q.toLongArray()).containsExactly(-2, 1, -1, 5, 5, -5);
        Tensor back = RunOp.output(new DequantizeLinear(1), q, Tensor.of(Shape.of(3), 0.5f, 1f, 2f),
                Tensor.ofBytes(Shape.of(3), DataType.INT8, (byte) 0, (byte) 1, (byte) -1));
        assertThat(back.toFloatArray()).containsExactly(-1f, 0f, 0f, 2.5f, 4f, -8f);
        Tensor bias = RunOp.output(new DequantizeLinear(), Tensor.ofInts(Shape.of(2), 1000, -7), Tensor.scalar(0.001f));
        assertThat(bias.toFloatArray()).containsExactly(1f, -0.007f);
        assertThatThrownBy(() -> RunOp.output(new QuantizeLinear(), x, Tensor.of(Shape.of(2), 1f, 1f)))
                .hasMessageContaining("y_scale must hold 1 or 3 values");
    }

    @Test
    void fakeQuantizeRoundsForwardAndPassesGradientsStraightThroughInsideTheRange() {
        FakeQuantize fq = FakeQuantize.activations();
        Tensor x = Tensor.of(Shape.of(6), -1f, 0.1f, 0.26f, 0.9f, 1.2f, 0.5f);
        Tensor range = Tensor.of(Shape.of(2), 0f, 1f);
        Tensor y = RunOp.output(fq, x, range);
        AffineQuantization q = AffineQuantization.uint8(0f, 1f);
        for (int i = 0; i < 6; i++) {
            assertThat(y.get(i)).isEqualTo(q.fakeQuantize(x.get(i)));
        }
        assertThat(y.get(0)).isZero();
        assertThat(y.get(4)).isEqualTo(1f);
        ExecutionContext ctx = ExecutionContext.standalone(1);
        Tensor dx = Tensor.zeros(6);
        fq.backward(new Tensor[] {x, range}, new Tensor[] {y}, new Tensor[] {Tensor.of(Shape.of(6), 1, 2, 3, 4, 5, 6)},
                new Tensor[] {dx, null}, ctx);
        // -1 and 1.2 saturate: no gradient; the others pass dL/dy unchanged
        assertThat(dx.toFloatArray()).containsExactly(0f, 2f, 3f, 4f, 0f, 6f);
    }

    @Test
    void fakeQuantizeTracksTheRangeInTrainingAndWeightsPerChannel() {
        FakeQuantize fq = new FakeQuantize(0, 255, FakeQuantize.PER_TENSOR, 0.5f);
        Tensor range = Tensor.of(Shape.of(2), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        ExecutionContext ctx = ExecutionContext.standalone(1);
        ctx.setTraining(true);
        Tensor y = Tensor.zeros(3);
        fq.forward(new Tensor[] {Tensor.of(Shape.of(3), -1f, 0f, 2f), range}, new Tensor[] {y}, ctx);
        assertThat(range.toFloatArray()).containsExactly(-1f, 2f);      // the first batch sets it
        fq.forward(new Tensor[] {Tensor.of(Shape.of(3), -3f, 0f, 4f), range}, new Tensor[] {y}, ctx);
        assertThat(range.toFloatArray()).containsExactly(-2f, 3f);      // then halfway (momentum 0.5)
        Tensor w = Tensor.of(Shape.of(2, 2), 0.5f, -0.25f, 0.01f, 0.02f);
        Tensor wq = RunOp.output(FakeQuantize.weights(true), w);
        // channel 0: scale 0.5/127, -0.25 -> -63.5 -> -64 (half to even)
        assertThat(wq.get(1)).isEqualTo(-64 * (0.5f / 127));
        assertThat(wq.get(3)).isEqualTo(0.02f, org.assertj.core.data.Offset.offset(1e-9f));
    }
}
