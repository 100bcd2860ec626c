package dev.minnow.engine.op;

import static dev.minnow.engine.op.ActivationBackwardTest.shifted;
import static dev.minnow.engine.op.GradientCheck.awayFromZero;
import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Add, Sub, Mul and Div backward with numpy broadcasting: every gradient against finite
 * differences, for operands broadcast on either side, and one hand-computed reduction.
 */
class ElementwiseBackwardTest {
    private final Random r = new Random(83);

    /** Pairs of operand shapes: equal, scalar, per-channel, both broadcast, lower rank; both orders. */
    static Stream<Arguments> shapes() {
        List<int[][]> pairs = List.of(
                new int[][] {{3, 5, 7}, {3, 5, 7}},
                new int[][] {{3, 5}, {}},
                new int[][] {{3, 5}, {1}},
                new int[][] {{2, 3, 5, 3}, {3, 1, 1}},
                new int[][] {{3, 1}, {1, 5}},
                new int[][] {{2, 3, 5, 7}, {7}},
                new int[][] {{3, 1, 5}, {3, 7, 1}},
                new int[][] {{1, 3, 1}, {5, 1, 7}});
        return Stream.of("Add", "Sub", "Mul", "Div").flatMap(op -> pairs.stream().flatMap(p -> Stream.of(
                Arguments.of(op, p[0], p[1]), Arguments.of(op, p[1], p[0]))));
    }

    private static ElementwiseBinary op(String name) {
        return switch (name) {
            case "Add" -> new Add();
            case "Sub" -> new Sub();
            case "Mul" -> new Mul();
            default -> new Div();
        };
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("shapes")
    void gradientsOfBothOperandsMatchFiniteDifferences(String name, int[] a, int[] b) {
        Tensor ta = shifted(gaussian(r, a));
        // a divisor at least 0.7 from zero keeps 1/b smooth over the step
        Tensor tb = shifted(name.equals("Div") ? awayFromZero(r, 0.7, b) : gaussian(r, b));
        int compared = GradientCheck.of(op(name)).check(ta, tb);
        assertThat(compared).isEqualTo(ta.size() + tb.size());
    }

    @Test
    void theSameTensorOnBothSidesGetsBothContributions() {
        // x * x, as a plan runs it: both inputs are one tensor with one gradient; d(x^2)/dx = 2x
        Mul mul = new Mul();
        Tensor x = Tensor.of(Shape.of(3), 1, -2, 3);
        Tensor dx = Tensor.zeros(3);
        mul.backward(new Tensor[] {x, x}, RunOp.outputs(mul, x, x), new Tensor[] {Tensor.of(Shape.of(3), 1, 1, 10)},
                new Tensor[] {dx, dx}, ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(2, -4, 60);
    }

    @Test
    void aPerChannelBiasReceivesTheSumOverBatchAndPlane() {
        Add add = new Add();
        Tensor x = Tensor.zeros(2, 2, 1, 3);
        Tensor bias = Tensor.zeros(2, 1, 1);
        Tensor dy = Tensor.zeros(2, 2, 1, 3);
        for (int i = 0; i < dy.size(); i++) {
            dy.data()[i] = i; // batch 0: channel 0 = 0,1,2, channel 1 = 3,4,5; batch 1: 6,7,8 and 9,10,11
        }
        Tensor dBias = Tensor.of(Shape.of(2, 1, 1), 100, 100);
        ExecutionContext ctx = ExecutionContext.standalone(1);
        Tensor[] out = RunOp.outputs(add, x, bias);
        add.backward(new Tensor[] {x, bias}, out, new Tensor[] {dy}, new Tensor[] {null, dBias}, ctx);
        assertThat(dBias.toFloatArray()).containsExactly(100 + 0 + 1 + 2 + 6 + 7 + 8, 100 + 3 + 4 + 5 + 9 + 10 + 11);
    }

    @Test
    void theLegacyBroadcastAxisAlignsTheGradientToo() {
        // opset 6: B [3, 4] read as [3, 4, 1] against A [2, 3, 4, 5]
        Add add = Add.fromOnnx(Attributes.builder().set("broadcast", 1L).set("axis", 1L).build(), 6);
        GradientCheck.of(add).check(gaussian(r, 2, 3, 4, 5), gaussian(r, 3, 4));
        Mul mul = Mul.fromOnnx(Attributes.builder().set("broadcast", 1L).set("axis", 1L).build(), 6);
        GradientCheck.of(mul).check(gaussian(r, 2, 3, 4, 5), gaussian(r, 3, 4));
    }

    @Test
    void integerOperandsAreNeverDifferentiated() {
        Add add = new Add();
        Tensor a = Tensor.ofLongs(Shape.of(2), 1, 2);
        Tensor da = Tensor.zeros(Shape.of(2), DataType.INT64);
        add.backward(new Tensor[] {a, a}, RunOp.outputs(add, a, a),
                new Tensor[] {Tensor.ofLongs(Shape.of(2), 5, 5)}, new Tensor[] {da, da},
                ExecutionContext.standalone(1));
        assertThat(da.toLongArray()).containsExactly(0, 0);
        assertThat(add.hasBackward()).isTrue();
    }
}
