package dev.minnow.compression.distill;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.InferenceSession;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherEnsembleTest {

    /** flatten -> fc (3) -> dropout 0.5: at inference the dropout is the identity. */
    private static Graph teacherWithDropout() {
        ModelBuilder b = new ModelBuilder("dropout_teacher", 5);
        String x = b.flatten(b.input("x", Shape.UNKNOWN, 1, 4, 4));
        return b.output(b.dropout(b.dense(x, 3), 0.5f)).build();
    }

    private static Tensor batch(ImageDataset d, int from, int n) {
        return Tensor.of(Shape.of(n, 1, 4, 4), java.util.Arrays.copyOfRange(d.pixels(), from * 16, (from + n) * 16));
    }

    @Test
    void teachersRunInInferenceModeWithOnePlanPerBatchShapeAndOneReusedTarget() {
        Graph g = teacherWithDropout();
        TeacherEnsemble teacher = TeacherEnsemble.of(g, 1);
        ImageDataset d = TinyTask.data(40, 3);
        InferenceSession reference = new InferenceSession(g);
        Tensor first = null;
        for (int from : new int[] {0, 8, 16}) {
            Tensor x = batch(d, from, 8);
            Tensor t = teacher.targetLogits(x, 4f);
            // no dropout, no rescaling: exactly what deployment computes
            assertThat(t.toFloatArray()).containsExactly(reference.run(x).toFloatArray());
            if (first == null) {
                first = t;
            }
            assertThat(t).isSameAs(first);
        }
        Tensor last = teacher.targetLogits(batch(d, 24, 5), 4f);
        assertThat(last.shape()).isEqualTo(Shape.of(5, 3));
        assertThat(teacher.compiledPlans()).isEqualTo(2);
    }

    @Test
    void rememberedTargetsAreLookedUpByPixelsAndUnknownImagesRunTheTeachers() {
        ImageDataset d = TinyTask.data(64, 4);
        List<Graph> graphs = List.of(TinyTask.mlp(8, 3, 1), TinyTask.mlp(8, 3, 2));
        TeacherEnsemble direct = new TeacherEnsemble(graphs, 1);
        TeacherEnsemble memory = new TeacherEnsemble(graphs, 1).remember(d, 16);
        assertThat(memory.teacherBatches()).isEqualTo(4);
        // a batch in another order and of another size than remember() used
        int[] order = {63, 5, 17, 0, 42, 8, 31, 30, 2, 50};
        Tensor x = Tensor.zeros(order.length, 1, 4, 4);
        d.fill(order, 0, order.length, x, new int[order.length]);
        float[] expected = direct.targetLogits(x, 2f).toFloatArray();
        assertThat(memory.targetLogits(x, 2f).toFloatArray()).containsExactly(expected, within(1e-5f));
        assertThat(memory.teacherBatches()).isEqualTo(4);
        // one pixel changed: not remembered, so the teachers run on the batch
        x.data()[3 * 16 + 7] += 0.5f;
        expected = direct.targetLogits(x, 2f).toFloatArray();
        assertThat(memory.targetLogits(x, 2f).toFloatArray()).containsExactly(expected);
        assertThat(memory.teacherBatches()).isEqualTo(5);
    }

    @Test
    void imageIndexFindsEqualImagesOnly() {
        ImageDataset d = TinyTask.data(100, 6);
        float[] pixels = d.pixels().clone();
        System.arraycopy(pixels, 10 * 16, pixels, 90 * 16, 16);   // image 90 becomes a copy of image 10
        ImageDataset withCopy = new ImageDataset("copy", 1, 4, 4, pixels, d.labels(), 3);
        ImageIndex index = new ImageIndex(withCopy);
        for (int i = 0; i < 100; i++) {
            assertThat(index.find(pixels, i * 16)).isEqualTo(i == 90 ? 10 : i);
        }
        float[] other = java.util.Arrays.copyOfRange(pixels, 20 * 16, 21 * 16);
        other[15] = Math.nextUp(other[15]);
        assertThat(index.find(other, 0)).isEqualTo(-1);
    }

    @Test
    void accuraciesOfEachTeacherAndOfTheMeanDistribution() {
        ImageDataset test = TinyTask.data(50, 9);
        List<Graph> graphs = List.of(TinyTask.mlp(8, 3, 1), TinyTask.mlp(8, 3, 2), TinyTask.mlp(8, 3, 3));
        List<Double> acc = new TeacherEnsemble(graphs, 1).accuracies(test, 16);
        assertThat(acc).hasSize(4);
        for (int m = 0; m < 3; m++) {
            assertThat(acc.get(m)).isEqualTo(Evaluation.of(graphs.get(m), test, 16, 1).accuracy(), within(1e-12));
        }
        // the ensemble by hand: argmax of the mean of the three softmaxes
        int hits = 0;
        for (int i = 0; i < test.size(); i++) {
            double[] mean = new double[3];
            for (Graph g : graphs) {
                float[] z = new InferenceSession(g).run(batch(test, i, 1)).toFloatArray();
                double max = Math.max(z[0], Math.max(z[1], z[2]));
                double sum = 0;
                for (float v : z) {
                    sum += Math.exp(v - max);
                }
                for (int j = 0; j < 3; j++) {
                    mean[j] += Math.exp(z[j] - max) / sum / 3;
                }
            }
            int best = mean[0] >= mean[1] && mean[0] >= mean[2] ? 0 : mean[1] >= mean[2] ? 1 : 2;
            hits += best == test.labels()[i] ? 1 : 0;
        }
        assertThat(acc.get(3)).isEqualTo(hits / 50.0, within(1e-12));
        assertThat(TeacherEnsemble.of(graphs.get(0), 1).accuracies(test, 16)).hasSize(1);
    }

    @Test
    void theMeanOfDistributionsIsNotTheSoftmaxOfTheMeanLogits() {
        // two confident teachers that disagree: logits (10, 0, 0) and (0, 10, 0)
        Tensor a = Tensor.of(Shape.of(1, 3), 10, 0, 0);
        Tensor b = Tensor.of(Shape.of(1, 3), 0, 10, 0);
        Tensor z = Tensor.zeros(1, 3);
        TeacherEnsemble.ensembleTargetLogits(new Tensor[] {a, b}, 1f, z);
        double[] p = DistillationReferenceTest.softmaxRows(z, 1f);
        // arithmetic mean: (1/2)(e^10, 1, 1)/(e^10 + 2) + (1/2)(1, e^10, 1)/(e^10 + 2)
        double d = Math.exp(10) + 2;
        assertThat(p[0]).isCloseTo((Math.exp(10) + 1) / (2 * d), within(1e-7));
        assertThat(p[2]).isCloseTo(1 / d, within(1e-7));
        // softmax of the mean logits (5, 5, 0) would give the third class e^-5 / (2 + e^-5), 74 times more
        assertThat(p[2]).isLessThan(Math.exp(-5) / (2 + Math.exp(-5)) / 60);
    }

    @Test
    void errorsNameTheTeacherAndWhatIsWrong() {
        ModelBuilder b = new ModelBuilder("softmaxed", 1);
        String x = b.flatten(b.input("x", Shape.UNKNOWN, 1, 4, 4));
        Graph softmaxed = b.output(b.softmax(b.dense(x, 3))).build();
        assertThatThrownBy(() -> TeacherEnsemble.of(softmaxed, 1))
                .hasMessageStartingWith("teacher 1 ('softmaxed') ends in")
                .hasMessageContaining("distillation needs the logits before the softmax");
        TeacherEnsemble mixed = new TeacherEnsemble(List.of(TinyTask.mlp(4, 3, 1), TinyTask.mlp(4, 5, 1)), 1);
        assertThatThrownBy(() -> mixed.targetLogits(Tensor.zeros(2, 1, 4, 4), 2f))
                .hasMessage("teacher 2 ('tiny_mlp_4') outputs 5 classes but teacher 1 ('tiny_mlp_4') outputs 3");
        assertThatThrownBy(() -> TeacherEnsemble.of(TinyTask.mlp(4, 3, 1), 1).targetLogits(Tensor.zeros(2, 1, 5, 5), 2f))
                .hasMessageStartingWith("teacher 1 ('tiny_mlp_4') cannot run on a batch of shape");
        assertThatThrownBy(() -> new TeacherEnsemble(List.of(), 1)).hasMessage("distillation needs at least one teacher");
    }
}
