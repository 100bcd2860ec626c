package dev.minnow.compression.distill;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DistillerTest {
    private static final ImageDataset TRAIN = TinyTask.data(512, 21);
    private static final ImageDataset TEST = TinyTask.data(300, 22);
    private static final TrainConfig RECIPE = TrainConfig.of(3, 32, 0.05f).withThreads(1).withSeed(7);

    private static Graph trainedTeacher() {
        Graph teacher = TinyTask.mlp(32, 3, 11);
        new Trainer(teacher, RECIPE.withEpochs(6), new Sgd(0.9f, true, 0f)).fit(TRAIN, null);
        return teacher;
    }

    @Test
    void softTargetsAloneTeachTheTaskWhenEveryLabelIsWrong() {
        Graph teacher = trainedTeacher();
        double teacherAccuracy = Evaluation.of(teacher, TEST, 100, 1).accuracy();
        assertThat(teacherAccuracy).isGreaterThan(0.9);
        ImageDataset allZero = TinyTask.relabelled(TRAIN, 0);

        // alpha = 1: the labels (all 0 here) are never looked at; the student learns from the teacher
        Graph distilled = TinyTask.mlp(8, 3, 5);
        new Distiller(TeacherEnsemble.of(teacher, 1), 4f, 1f).train(distilled, RECIPE, new Sgd(0.9f, true, 0f),
                allZero, null, null);
        double accuracy = Evaluation.of(distilled, TEST, 100, 1).accuracy();
        assertThat(accuracy).isGreaterThan(0.85);

        // the same student on those labels alone learns "always class 0"
        Graph alone = TinyTask.mlp(8, 3, 5);
        new Trainer(alone, RECIPE, new Sgd(0.9f, true, 0f)).fit(allZero, null);
        long zeros = java.util.Arrays.stream(TEST.labels()).filter(l -> l == 0).count();
        assertThat(Evaluation.of(alone, TEST, 100, 1).accuracy()).isCloseTo((double) zeros / TEST.size(), within(0.02));
    }

    @Test
    void withAlphaZeroDistillationIsOrdinaryTraining() {
        Graph teacher = TinyTask.mlp(32, 3, 11);
        Graph plain = TinyTask.mlp(8, 3, 5);
        new Trainer(plain, RECIPE, new Sgd(0.9f, true, 0f)).fit(TRAIN, null);
        Graph distilled = TinyTask.mlp(8, 3, 5);
        new Distiller(TeacherEnsemble.of(teacher, 1), 4f, 0f).train(distilled, RECIPE, new Sgd(0.9f, true, 0f), TRAIN,
                null, null);
        // the same batches in the same order and the same gradients up to float rounding
        for (Map.Entry<String, Tensor> e : plain.initializers().entrySet()) {
            float[] a = e.getValue().toFloatArray();
            float[] b = distilled.initializer(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(Math.abs(a[i] - b[i])).as("%s[%d]", e.getKey(), i).isLessThan(1e-4f);
            }
        }
    }

    @Test
    void divergedRunsAreReportedAndTheSweepGoesOn() {
        // a broken teacher whose logits are NaN: the loss is NaN at the first step of every distilled run
        Graph teacher = TinyTask.mlp(8, 3, 11);
        teacher.initializer("fc2.bias").data()[1] = Float.NaN;
        DistillationExperiment.Result r = DistillationExperiment.compare(seed -> TinyTask.mlp(8, 3, seed), 5,
                RECIPE.withEpochs(1), () -> new Sgd(0.9f, true, 0f), TeacherEnsemble.of(teacher, 1),
                new float[] {20f, 2f}, 0.5f, TRAIN, TEST, null);
        assertThat(r.aloneAccuracy()).isGreaterThan(0.5);
        assertThat(r.runs()).hasSize(2);
        for (DistillationExperiment.Run run : r.runs()) {
            assertThat(run.diverged()).startsWith("training diverged: the loss became NaN at epoch 1, step 1");
            assertThat(run.accuracy()).isNaN();
        }
        assertThat(r.best()).isNull();
        assertThat(r.table()).contains("| student distilled, 1 epochs | 20 | 0.5 | diverged | |",
                "| student distilled, 1 epochs | 2 | 0.5 | diverged | |");
    }

    @Test
    void theExperimentsBaselineIsTheSameInitialisationAndRecipeTrainedAlone() {
        Graph teacher = trainedTeacher();
        Graph separately = TinyTask.mlp(8, 3, 5);
        new Trainer(separately, RECIPE, new Sgd(0.9f, true, 0f)).fit(TRAIN, TEST);

        DistillationExperiment.Result r = DistillationExperiment.compare(seed -> TinyTask.mlp(8, 3, seed), 5, RECIPE,
                () -> new Sgd(0.9f, true, 0f), TeacherEnsemble.of(teacher, 1), new float[] {1f, 4f}, 0.9f, TRAIN, TEST,
                null);
        for (Map.Entry<String, Tensor> e : separately.initializers().entrySet()) {
            assertThat(r.alone().initializer(e.getKey()).toFloatArray()).as(e.getKey())
                    .containsExactly(e.getValue().toFloatArray());
        }
        assertThat(r.aloneAccuracy()).isEqualTo(Evaluation.of(separately, TEST, 256, 1).accuracy());
        assertThat(r.teacherAccuracies()).containsExactly(Evaluation.of(teacher, TEST, 256, 1).accuracy());
        assertThat(r.teacherAccuracy()).isEqualTo(r.teacherAccuracies().get(0));
        assertThat(r.runs()).extracting(DistillationExperiment.Run::temperature).containsExactly(1f, 4f);
        for (DistillationExperiment.Run run : r.runs()) {
            assertThat(run.history()).hasSize(3);
            assertThat(run.accuracy()).isEqualTo(Evaluation.of(run.student(), TEST, 256, 1).accuracy());
            assertThat(run.accuracy()).isGreaterThan(0.6);
        }
        assertThat(r.best().accuracy()).isEqualTo(Math.max(r.runs().get(0).accuracy(), r.runs().get(1).accuracy()));
        assertThat(r.table()).contains("| teacher 1 | | |", "| student alone, 3 epochs | | |",
                "| student distilled, 3 epochs | 4 | 0.9 |");
    }
}
