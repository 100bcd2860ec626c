package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatherTest {

    @Test
    void rowsOfAMatrix() {
        Tensor data = Tensor.of(Shape.of(3, 2), 1, 2, 3, 4, 5, 6);
        Tensor y = RunOp.output(new Gather(0), data, Tensor.ofLongs(Shape.of(2, 2), 0, 1, 2, 0));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 2, 2));
        assertThat(y.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 1, 2);
    }

    @Test
    void columnsWithNegativeAndInt32Indices() {
        Tensor data = Tensor.of(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor y = RunOp.output(new Gather(1), data, Tensor.ofInts(Shape.of(2), -1, 0));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(y.toFloatArray()).containsExactly(3, 1, 6, 4);
    }

    @Test
    void scalarIndexRemovesTheAxis() {
        Tensor shape = Tensor.ofLongs(Shape.of(4), 8, 3, 32, 32);
        Tensor y = RunOp.output(new Gather(0), shape, Tensor.ofLongs(Shape.scalar(), 0));
        assertThat(y.shape()).isEqualTo(Shape.scalar());
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.toLongArray()).containsExactly(8);
        Tensor m = Tensor.of(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
        assertThat(RunOp.output(new Gather(-1), m, Tensor.ofLongs(Shape.scalar(), 1)).toFloatArray()).containsExactly(2, 5);
    }

    @Test
    void matchesNumpyTakeWithTwoDimensionalIndices() {
        Tensor y = RunOp.output(new Gather(1), ReferenceFixtures.get("gather.data"), ReferenceFixtures.get("gather.indices"));
        Tensor expected = ReferenceFixtures.get("gather.axis1");
        assertThat(y.shape()).isEqualTo(expected.shape());
        assertThat(y.toFloatArray()).containsExactly(expected.toFloatArray());
    }

    @Test
    void outOfRangeIndicesAreReported() {
        Tensor data = Tensor.of(Shape.of(3), 1, 2, 3);
        assertThatThrownBy(() -> RunOp.output(new Gather(0), data, Tensor.ofLongs(Shape.of(2), 0, 3)))
                .hasMessageContaining("index 3 (element 1 of indices [2]) is out of range for axis 0 of size 3");
        assertThatThrownBy(() -> RunOp.output(new Gather(0), data, Tensor.ofLongs(Shape.of(1), -4)))
                .hasMessageContaining("must be in [-3, 2]");
        assertThatThrownBy(() -> new Gather().inferOutputs(List.of(ValueInfo.of(Shape.of(3)), ValueInfo.of(Shape.of(1)))))
                .hasMessageContaining("indices must be INT64 or INT32, found FLOAT");
    }
}
