package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.kernel.BitPacking;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit layout written out by hand, and DequantizeLowBit's scales per layer and per axis. */
class DequantizeLowBitTest {

    @Test
    void binaryBitsAreOnePerWeightLowBitFirst() {
        long[] packed = new long[1];
        BitPacking.pack(new byte[] {1, -1, 1, 1}, 1, 4, 1, packed, 0);
        assertThat(packed[0]).isEqualTo(0b1101L);
    }

    @Test
    void ternaryBitsAreANonzeroPlaneThenANegativePlane() {
        long[] packed = new long[2];
        BitPacking.pack(new byte[] {1, 0, -1, 1}, 1, 4, 2, packed, 0);
        assertThat(packed[0]).as("nonzero").isEqualTo(0b1101L);
        assertThat(packed[1]).as("negative").isEqualTo(0b0100L);
    }

    @Test
    void rowsLongerThanAWordRoundTrip() {
        Random r = new Random(5);
        int rows = 3;
        int len = 130;
        for (int bits = 1; bits <= 2; bits++) {
            byte[] codes = new byte[rows * len];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) (bits == 1 ? (r.nextBoolean() ? 1 : -1) : r.nextInt(3) - 1);
            }
            long[] packed = new long[rows * BitPacking.rowLongs(bits, len) + 1];
            BitPacking.pack(codes, rows, len, bits, packed, 1);
            assertThat(BitPacking.rowLongs(bits, len)).isEqualTo(bits * 3);
            byte[] back = new byte[codes.length];
            BitPacking.unpack(packed, 1, rows, len, bits, back);
            assertThat(back).isEqualTo(codes);
        }
    }

    @Test
    void aBadCodeIsNamed() {
        assertThatThrownBy(() -> BitPacking.pack(new byte[] {1, 0}, 1, 2, 1, new long[1], 0))
                .hasMessageContaining("binary code must be -1 or +1, found 0 at row 0, element 1");
    }

    @Test
    void scalesPerLayerAndPerAxis() {
        // W [2, 3] ternary: row 0 = (+1, 0, -1), row 1 = (-1, -1, +1)
        long[] packed = new long[4];
        BitPacking.pack(new byte[] {1, 0, -1, -1, -1, 1}, 2, 3, 2, packed, 0);
        Tensor codes = Tensor.ofLongs(Shape.of(2, 2), packed);

        Tensor perLayer = RunOp.output(new DequantizeLowBit(2, new int[] {2, 3}, 0), codes, Tensor.of(Shape.of(1), 0.5f));
        assertThat(perLayer.toFloatArray()).containsExactly(0.5f, 0f, -0.5f, -0.5f, -0.5f, 0.5f);

        Tensor perRow = RunOp.output(new DequantizeLowBit(2, new int[] {2, 3}, 0), codes, Tensor.of(Shape.of(2), 1f, 2f));
        assertThat(perRow.toFloatArray()).containsExactly(1f, 0f, -1f, -2f, -2f, 2f);

        Tensor perColumn = RunOp.output(new DequantizeLowBit(2, new int[] {2, 3}, 1), codes,
                Tensor.of(Shape.of(3), 1f, 2f, 3f));
        assertThat(perColumn.toFloatArray()).containsExactly(1f, 0f, -3f, -1f, -2f, 3f);
    }

    @Test
    void codesOfTheWrongShapeAreExplained() {
        DequantizeLowBit op = new DequantizeLowBit(1, new int[] {4, 100}, 0);
        List<ValueInfo> in = List.of(ValueInfo.constant(Tensor.ofLongs(Shape.of(4, 1), new long[4])),
                ValueInfo.constant(Tensor.zeros(4)));
        assertThatThrownBy(() -> op.inferOutputs(in)).hasMessageContaining("must have shape [4, 2]");
        Op back = OpRegistry.create(OpRegistry.NATIVE_DOMAIN, "DequantizeLowBit", op.attributes(), 13);
        assertThat(back).isEqualTo(op);
    }
}
