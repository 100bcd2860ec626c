package dev.minnow.engine.op;

import static dev.minnow.engine.op.ActivationBackwardTest.oddDims;
import static dev.minnow.engine.op.ActivationBackwardTest.shifted;
import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward passes of the ops that only move elements: Concat, the reshape family (Flatten,
 * Reshape, Squeeze, Unsqueeze, Identity), Transpose, Pad, Expand, ChannelShuffle and Gather.
 * Every one is linear, so central differences are exact up to float rounding; integer inputs
 * (shapes, axes, pads, indices) are never compared.
 */
class DataMovementBackwardTest {
    private final Random r = new Random(97);

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, -1})
    void concatAlongAxes(int axis) {
        int[] base = oddDims(r, 3);
        int a = Shape.normalizeAxis(axis, 3);
        int[] d1 = base.clone();
        int[] d2 = base.clone();
        int[] d3 = base.clone();
        d1[a] = 1;
        d2[a] = 3;
        d3[a] = 2;
        int compared = GradientCheck.of(new Concat(axis)).check(shifted(gaussian(r, d1)), gaussian(r, d2),
                shifted(gaussian(r, d3)));
        assertThat(compared).isEqualTo(Shape.of(base).size() / base[a] * 6);
    }

    @Test
    void concatLeavesAnInputWithoutGradientAlone() {
        Concat op = new Concat(0);
        Tensor a = Tensor.of(Shape.of(1, 2), 1, 2);
        Tensor b = Tensor.of(Shape.of(2, 2), 3, 4, 5, 6);
        Tensor db = Tensor.zeros(2, 2);
        op.backward(new Tensor[] {a, b}, RunOp.outputs(op, a, b),
                new Tensor[] {Tensor.of(Shape.of(3, 2), 10, 20, 30, 40, 50, 60)}, new Tensor[] {null, db},
                ExecutionContext.standalone(1));
        assertThat(db.toFloatArray()).containsExactly(30, 40, 50, 60);
    }

    @Test
    void theReshapeFamilyPassesTheGradientThroughInOrder() {
        Tensor x = shifted(gaussian(r, 3, 1, 5, 7));
        GradientCheck.of(new Flatten(1)).check(x);
        GradientCheck.of(new Flatten(0)).check(x);
        GradientCheck.of(new Flatten(-1)).check(x);
        GradientCheck.of(new Reshape()).check(x, longs(5, -1, 3));
        GradientCheck.of(new Squeeze()).check(x, longs(1));
        GradientCheck.of(new Squeeze()).check(x);
        GradientCheck.of(new Unsqueeze()).check(x, longs(0, -1));
        GradientCheck.of(new Identity()).check(x);
    }

    @Test
    void settingsOfTheShapeOpsAreNotTrainable() {
        assertThat(new Reshape().isTrainableInput(0)).isTrue();
        assertThat(new Reshape().isTrainableInput(1)).isFalse();
        assertThat(new Squeeze().isTrainableInput(1)).isFalse();
        assertThat(new Unsqueeze().isTrainableInput(1)).isFalse();
        assertThat(new Expand().isTrainableInput(1)).isFalse();
        assertThat(new Pad().isTrainableInput(1)).isFalse();
        assertThat(new Pad().isTrainableInput(2)).isFalse();
        assertThat(new Pad().isTrainableInput(3)).isFalse();
        assertThat(new Gather().isTrainableInput(0)).isTrue();
        assertThat(new Gather().isTrainableInput(1)).isFalse();
        for (Op op : new Op[] {new Flatten(), new Reshape(), new Squeeze(), new Unsqueeze(), new Identity(),
                new Concat(1), Transpose.reversed(), new Pad(), new Expand(), new ChannelShuffle(2), new Gather()}) {
            assertThat(op.hasBackward()).as(op.toString()).isTrue();
        }
    }

    @Test
    void transposeWithNonTrivialPermutations() {
        Tensor x = shifted(gaussian(r, 3, 5, 7, 3));
        GradientCheck.of(new Transpose(2, 0, 3, 1)).check(x);
        GradientCheck.of(new Transpose(0, 2, 3, 1)).check(x);
        GradientCheck.of(new Transpose(3, 2, 1, 0)).check(x);
        GradientCheck.of(Transpose.reversed()).check(gaussian(r, 5, 3));
        GradientCheck.of(Transpose.reversed()).check(Tensor.of(Shape.scalar(), 2f));
    }

    @Test
    void transposeGradientIsTheInversePermutation() {
        Transpose op = new Transpose(1, 2, 0);
        Tensor x = gaussian(r, 2, 3, 5);
        Tensor dy = gaussian(r, 3, 5, 2);
        Tensor dx = Tensor.zeros(2, 3, 5);
        op.backward(new Tensor[] {x}, RunOp.outputs(op, x), new Tensor[] {dy}, new Tensor[] {dx},
                ExecutionContext.standalone(1));
        // the inverse of perm [1, 2, 0] is [2, 0, 1]
        assertThat(dx.toFloatArray()).containsExactly(RunOp.output(new Transpose(2, 0, 1), dy).toFloatArray());
    }

    @Test
    void constantPadWithAsymmetricAndNegativeAmounts() {
        Tensor x = shifted(gaussian(r, 3, 5, 7));
        // begins [1, 0, 2], ends [0, 3, 1]
        GradientCheck.of(new Pad()).check(x, longs(1, 0, 2, 0, 3, 1));
        // crops: begins [0, -1, 2], ends [-1, 2, -3]
        GradientCheck.of(new Pad()).check(x, longs(0, -1, 2, -1, 2, -3));
        // a constant value receives the sum of the border's gradient
        GradientCheck.of(new Pad()).check(x, longs(1, 2, 0, 0, -1, 1), Tensor.scalar(0.5f));
        // opset 18 axes: only the last axis is padded
        GradientCheck.of(new Pad()).check(x, longs(2, -1), null, longs(-1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REFLECT", "EDGE"})
    void reflectAndEdgePadAddUpTheGradientsOfRepeatedElements(String mode) {
        Tensor x = shifted(gaussian(r, 3, 5, 7));
        GradientCheck.of(new Pad(Pad.Mode.valueOf(mode))).check(x, longs(0, 2, 3, 1, 4, 1));
        GradientCheck.of(new Pad(Pad.Mode.valueOf(mode))).check(x, longs(1, -1, 2, 0, 1, -2));
    }

    @Test
    void edgePadSumsIntoTheEdge() {
        Pad op = new Pad(Pad.Mode.EDGE);
        Tensor x = Tensor.of(Shape.of(2), 1, 2);
        Tensor pads = longs(2, 1);
        Tensor dx = Tensor.zeros(2);
        op.backward(new Tensor[] {x, pads}, RunOp.outputs(op, x, pads),
                new Tensor[] {Tensor.of(Shape.of(5), 1, 10, 100, 1000, 10000)}, new Tensor[] {dx, null},
                ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(111, 11000);
    }

    @Test
    void expandSumsOverTheExpandedAxes() {
        GradientCheck.of(new Expand()).check(shifted(gaussian(r, 3, 1)), longs(2, 1, 5));
        GradientCheck.of(new Expand()).check(gaussian(r, 1, 5), longs(3, 5));
        GradientCheck.of(new Expand()).check(gaussian(r, 5, 1, 3), longs(5, 7, 1));
        GradientCheck.of(new Expand()).check(Tensor.of(Shape.scalar(), 1.5f), longs(3, 5));
        GradientCheck.of(new Expand()).check(gaussian(r, 3, 5), longs(3, 5));
    }

    @ParameterizedTest(name = "group {0}")
    @ValueSource(ints = {1, 2, 3, 6})
    void channelShuffleMovesGradientsBack(int group) {
        GradientCheck.of(new ChannelShuffle(group)).check(shifted(gaussian(r, 2, 6, 3, 5)));
    }

    @Test
    void gatherScatterAddsIntoRepeatedRows() {
        Tensor table = shifted(gaussian(r, 5, 3));
        Tensor idx = Tensor.ofLongs(Shape.of(2, 2), 0, 2, 2, -1);
        int compared = GradientCheck.of(new Gather(0)).check(table, idx);
        assertThat(compared).isEqualTo(15);
        GradientCheck.of(new Gather(1)).check(gaussian(r, 3, 5, 7), Tensor.ofInts(Shape.of(3), 4, -5, 4));
        GradientCheck.of(new Gather(-1)).check(gaussian(r, 3, 5), Tensor.ofLongs(Shape.scalar(), 3));

        Gather op = new Gather(0);
        Tensor rows = Tensor.of(Shape.of(3, 1), 1, 2, 3);
        Tensor picks = Tensor.ofLongs(Shape.of(3), 2, 0, 2);
        Tensor dRows = Tensor.zeros(3, 1);
        op.backward(new Tensor[] {rows, picks}, RunOp.outputs(op, rows, picks),
                new Tensor[] {Tensor.of(Shape.of(3, 1), 1, 10, 100)}, new Tensor[] {dRows, null},
                ExecutionContext.standalone(1));
        assertThat(dRows.toFloatArray()).containsExactly(10, 0, 101);
    }

    @Test
    void integerDataIsNeverDifferentiated() {
        Tensor a = Tensor.ofLongs(Shape.of(2), 1, 2);
        Tensor da = Tensor.zeros(Shape.of(2), DataType.INT64);
        Tensor dy = Tensor.ofLongs(Shape.of(4), 1, 1, 1, 1);
        Concat concat = new Concat(0);
        concat.backward(new Tensor[] {a, a}, RunOp.outputs(concat, a, a), new Tensor[] {dy}, new Tensor[] {da, da},
                ExecutionContext.standalone(1));
        new Identity().backward(new Tensor[] {a}, new Tensor[] {a}, new Tensor[] {a}, new Tensor[] {da},
                ExecutionContext.standalone(1));
        assertThat(da.toLongArray()).containsExactly(0, 0);
    }
}
