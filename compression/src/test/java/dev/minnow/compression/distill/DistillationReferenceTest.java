package dev.minnow.compression.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.DistillationLoss;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The distillation loss, its gradient and the ensemble's mean distribution against PyTorch
 * (distillation_reference.txt, written by make_distillation_reference.py beside it): five
 * temperatures from 1 to 20, alpha from 0.5 to 1, one teacher and an ensemble of three.
 */
class DistillationReferenceTest {

    /** One line "case T alpha members loss L target ... grad ...". */
    record Case(float temperature, float alpha, int members, double loss, double[] target, double[] grad) {
    }

    record Fixture(Tensor student, Tensor[] teachers, int[] labels, List<Case> cases) {
    }

    @Test
    void lossAndGradientMatchPyTorchForOneTeacherAndAnEnsemble() throws IOException {
        Fixture f = load();
        assertThat(f.cases()).hasSize(10);
        for (Case c : f.cases()) {
            Tensor target = Tensor.zeros(f.student().shape());
            Tensor[] members = Arrays.copyOf(f.teachers(), c.members());
            if (c.members() == 1) {
                target = members[0];
            } else {
                TeacherEnsemble.ensembleTargetLogits(members, c.temperature(), target);
            }
            String what = "T=" + c.temperature() + " alpha=" + c.alpha() + " members=" + c.members();
            // the target logits' softmax at T is PyTorch's mean distribution
            double[] p = softmaxRows(target, c.temperature());
            for (int i = 0; i < p.length; i++) {
                assertThat(p[i]).as("%s: p[%d]", what, i).isCloseTo(c.target()[i], within(1e-6));
            }
            Tensor grad = Tensor.zeros(f.student().shape());
            float loss = new DistillationLoss(c.temperature(), c.alpha()).lossAndGradient(f.student(), target,
                    f.labels(), grad);
            assertThat((double) loss).as("%s: loss", what).isCloseTo(c.loss(), within(1e-5 * Math.max(1, c.loss())));
            for (int i = 0; i < grad.size(); i++) {
                assertThat((double) grad.get(i)).as("%s: grad[%d]", what, i).isCloseTo(c.grad()[i], within(1e-6));
            }
        }
    }

    @Test
    void teacherGraphsGiveTheSameTargetsAsTheirLogits() throws IOException {
        Fixture f = load();
        Shape shape = f.student().shape();
        List<Graph> graphs = new ArrayList<>();
        for (Tensor t : f.teachers()) {
            graphs.add(constantLogits(t));
        }
        TeacherEnsemble ensemble = new TeacherEnsemble(graphs, 1);
        Tensor input = Tensor.zeros(shape);
        for (Case c : f.cases()) {
            if (c.members() != f.teachers().length) {
                continue;
            }
            double[] p = softmaxRows(ensemble.targetLogits(input, c.temperature()), c.temperature());
            for (int i = 0; i < p.length; i++) {
                assertThat(p[i]).isCloseTo(c.target()[i], within(1e-6));
            }
        }
        // one teacher: its logits unchanged, whatever the temperature
        TeacherEnsemble single = TeacherEnsemble.of(graphs.get(0), 1);
        assertThat(single.targetLogits(input, 7f).toFloatArray()).containsExactly(f.teachers()[0].toFloatArray());
    }

    /** A "teacher" whose logits are always {@code logits}: input [n, k] plus a constant (the input is zeros). */
    static Graph constantLogits(Tensor logits) {
        ModelBuilder b = new ModelBuilder("constant_teacher", 1);
        String x = b.input("x", logits.shape().dims());
        return b.output(b.add(x, b.constant("logits", logits))).build();
    }

    static double[] softmaxRows(Tensor z, float temperature) {
        int n = z.shape().dim(0);
        int k = z.shape().dim(1);
        double[] p = new double[n * k];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z.get(i * k + j) / (double) temperature);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                p[i * k + j] = Math.exp(z.get(i * k + j) / (double) temperature - max);
                sum += p[i * k + j];
            }
            for (int j = 0; j < k; j++) {
                p[i * k + j] /= sum;
            }
        }
        return p;
    }

    static Fixture load() throws IOException {
        String text;
        try (InputStream in = DistillationReferenceTest.class.getResourceAsStream("distillation_reference.txt")) {
            if (in == null) {
                throw new IOException("distillation_reference.txt is missing; run make_distillation_reference.py");
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        Tensor student = null;
        Tensor[] teachers = null;
        int[] labels = null;
        List<Case> cases = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] t = line.trim().split("\\s+");
            switch (t[0]) {
                case "student" -> student = Tensor.of(Shape.of(Integer.parseInt(t[1]), Integer.parseInt(t[2])),
                        floats(t, 3, t.length - 3));
                case "teachers" -> {
                    int m = Integer.parseInt(t[1]);
                    int n = Integer.parseInt(t[2]);
                    int k = Integer.parseInt(t[3]);
                    teachers = new Tensor[m];
                    for (int i = 0; i < m; i++) {
                        teachers[i] = Tensor.of(Shape.of(n, k), floats(t, 4 + i * n * k, n * k));
                    }
                }
                case "labels" -> labels = Arrays.stream(t, 2, t.length).mapToInt(Integer::parseInt).toArray();
                case "case" -> {
                    int size = (t.length - 8) / 2;
                    if (!t[4].equals("loss") || !t[6].equals("target") || !t[7 + size].equals("grad")) {
                        throw new IOException("malformed case line: " + line);
                    }
                    cases.add(new Case(Float.parseFloat(t[1]), Float.parseFloat(t[2]), Integer.parseInt(t[3]),
                            Double.parseDouble(t[5]), doubles(t, 7, size), doubles(t, 8 + size, size)));
                }
                default -> {
                    if (!line.isBlank()) {
                        throw new IOException("unknown record '" + t[0] + "' in distillation_reference.txt");
                    }
                }
            }
        }
        return new Fixture(student, teachers, labels, cases);
    }

    private static float[] floats(String[] t, int from, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) Double.parseDouble(t[from + i]);
        }
        return v;
    }

    private static double[] doubles(String[] t, int from, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = Double.parseDouble(t[from + i]);
        }
        return v;
    }
}
