package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    @Test
    void outputShapeFollowsNumpy() {
        assertThat(Broadcast.outputShape(Shape.of(2, 3, 4, 5), Shape.of(5))).isEqualTo(Shape.of(2, 3, 4, 5));
        assertThat(Broadcast.outputShape(Shape.of(3, 1), Shape.of(1, 4))).isEqualTo(Shape.of(3, 4));
        assertThat(Broadcast.outputShape(Shape.of(2, 3, 1, 4), Shape.of(3, 5, 1))).isEqualTo(Shape.of(2, 3, 5, 4));
        assertThat(Broadcast.outputShape(Shape.scalar(), Shape.of(2, 2))).isEqualTo(Shape.of(2, 2));
        assertThat(Broadcast.outputShape(Shape.of(0, 3), Shape.of(1, 3))).isEqualTo(Shape.of(0, 3));
    }

    @Test
    void incompatibleShapesAreNamedInTheMessage() {
        assertThatThrownBy(() -> Broadcast.outputShape(Shape.of(2, 3), Shape.of(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("[4]")
                .hasMessageContaining("3 vs 4");
    }

    @Test
    void sameShapesGiveOneRun() {
        Broadcast b = Broadcast.of(Shape.of(2, 3, 4), Shape.of(2, 3, 4));
        assertThat(b.runCount()).isEqualTo(1);
        assertThat(b.runLength()).isEqualTo(24);
        assertThat(b.aStep()).isEqualTo(1);
        assertThat(b.bStep()).isEqualTo(1);
    }

    @Test
    void scalarGivesOneRunWithAFixedOperand() {
        Broadcast b = Broadcast.of(Shape.of(2, 3, 4), Shape.scalar());
        assertThat(b.runCount()).isEqualTo(1);
        assertThat(b.runLength()).isEqualTo(24);
        assertThat(b.bStep()).isZero();
        Broadcast one = Broadcast.of(Shape.of(1), Shape.of(2, 3));
        assertThat(one.runCount()).isEqualTo(1);
        assertThat(one.aStep()).isZero();
    }

    @Test
    void perChannelBiasRunsOverEachPlane() {
        Broadcast b = Broadcast.of(Shape.of(2, 3, 4, 5), Shape.of(3, 1, 1));
        assertThat(b.runCount()).isEqualTo(6);
        assertThat(b.runLength()).isEqualTo(20);
        assertThat(b.bStep()).isZero();
        for (int r = 0; r < 6; r++) {
            assertThat(b.aStart(r)).isEqualTo(r * 20);
            assertThat(b.bStart(r)).isEqualTo(r % 3); // channel of run r
        }
    }

    @Test
    void bothSidesBroadcasting() {
        Broadcast b = Broadcast.of(Shape.of(3, 1), Shape.of(1, 4));
        assertThat(b.output()).isEqualTo(Shape.of(3, 4));
        assertThat(b.runCount()).isEqualTo(3);
        assertThat(b.runLength()).isEqualTo(4);
        assertThat(b.aStep()).isZero();
        assertThat(b.bStep()).isEqualTo(1);
        assertThat(new int[] {b.aStart(0), b.aStart(1), b.aStart(2)}).containsExactly(0, 1, 2);
        assertThat(new int[] {b.bStart(0), b.bStart(1), b.bStart(2)}).containsExactly(0, 0, 0);
    }

    /** Every output element's operand indices, recomputed from the rule, match the runs. */
    @Test
    void runsVisitTheSameElementsAsTheRule() {
        Shape[][] cases = {
            {Shape.of(2, 3, 1, 4), Shape.of(3, 5, 1)},
            {Shape.of(1, 3, 1), Shape.of(2, 1, 4)},
            {Shape.of(4, 1, 1, 2), Shape.of(1, 3, 2)},
            {Shape.of(5), Shape.of(2, 1, 5)},
            {Shape.of(2, 1, 3, 1), Shape.of(2, 4, 1, 1)},
        };
        for (Shape[] c : cases) {
            Broadcast b = Broadcast.of(c[0], c[1]);
            Shape out = b.output();
            int[] outDims = out.dims();
            for (int flat = 0; flat < out.size(); flat++) {
                int[] idx = unravel(flat, outDims);
                int run = flat / b.runLength();
                int k = flat % b.runLength();
                assertThat(b.aStart(run) + k * b.aStep()).as("a index of %s in %s", flat, b)
                        .isEqualTo(operandIndex(idx, c[0]));
                assertThat(b.bStart(run) + k * b.bStep()).as("b index of %s in %s", flat, b)
                        .isEqualTo(operandIndex(idx, c[1]));
            }
        }
    }

    private static int[] unravel(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        return idx;
    }

    /** Row-major index into an operand aligned at the end, size-1 dimensions pinned at 0. */
    private static int operandIndex(int[] outIdx, Shape s) {
        int pad = outIdx.length - s.rank();
        int flat = 0;
        for (int d = 0; d < s.rank(); d++) {
            int size = s.dim(d);
            flat = flat * size + (size == 1 ? 0 : outIdx[d + pad]);
        }
        return flat;
    }
}
