package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.zoo.models.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill}: argument handling, and 1-epoch runs on the embedded subset with a quickly trained teacher. */
class DistillCommandTest {
    @TempDir
    static Path dir;
    static Path teacher;
    static double teacherAccuracy;

    @BeforeAll
    static void trainTeacher() {
        teacher = dir.resolve("teacher.mnw");
        CliRun r = CliRun.of("train", "lenet300", "--embedded", "--epochs", "2", "--threads", "2", "--out",
                teacher.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        teacherAccuracy = ((Number) MiniJson.parseObject(r.out()).get("accuracy")).doubleValue();
    }

    @Test
    void distillingReportsTheStudentAloneAndDistilledAndSavesTheBest() throws Exception {
        Path out = dir.resolve("student.mnw");
        CliRun r = CliRun.of("distill", "--teacher", teacher.toString(), "--student", "lenet300", "--embedded",
                "--epochs", "1", "--temperature", "2,8", "--alpha", "0.7", "--threads", "2", "--out", out.toString(),
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("student", "teachers", "teacher_accuracy", "student_alone_accuracy", "accuracy",
                "improvement", "temperature", "alpha", "runs", "epochs", "seed", "recipe", "out", "seconds")
                .doesNotContainKey("ensemble_accuracy");
        assertThat(((Number) j.get("teacher_accuracy")).doubleValue()).isEqualTo(teacherAccuracy, within(0.002));
        double alone = ((Number) j.get("student_alone_accuracy")).doubleValue();
        double accuracy = ((Number) j.get("accuracy")).doubleValue();
        assertThat(alone).isGreaterThan(0.6);
        assertThat(accuracy).isGreaterThan(0.6);
        assertThat(((Number) j.get("improvement")).doubleValue()).isEqualTo(accuracy - alone, within(1e-12));
        assertThat(((Number) j.get("alpha")).doubleValue()).isEqualTo(0.7, within(1e-6));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) j.get("runs");
        assertThat(runs).extracting(m -> ((Number) m.get("temperature")).doubleValue()).containsExactly(2.0, 8.0);
        double best = Math.max(((Number) runs.get(0).get("accuracy")).doubleValue(),
                ((Number) runs.get(1).get("accuracy")).doubleValue());
        assertThat(accuracy).isEqualTo(best);

        // the saved student is the reported one
        ModelFile.Saved saved = ModelFile.load(out);
        assertThat(saved.metadata()).containsEntry("model", "lenet300").containsEntry("alpha", "0.7")
                .containsEntry("distilled_from", teacher.toString()).containsKeys("temperature", "recipe", "normalization");
        CliRun eval = CliRun.of("eval", out.toString(), "--embedded", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(((Number) MiniJson.parseObject(eval.out()).get("accuracy")).doubleValue()).isEqualTo(accuracy);

        // the student alone is the plain training with the same recipe and seed
        CliRun plain = CliRun.of("train", "lenet300", "--embedded", "--epochs", "1", "--threads", "2", "--out",
                dir.resolve("alone.mnw").toString(), "--json");
        assertThat(((Number) MiniJson.parseObject(plain.out()).get("accuracy")).doubleValue()).isEqualTo(alone);
    }

    @Test
    void severalTeachersFormAnEnsembleAndTextOutputIsATable() {
        Path out = dir.resolve("ensemble.mnw");
        CliRun r = CliRun.of("distill", "--teacher", teacher + "," + teacher, "--student", "lenet300", "--embedded",
                "--epochs", "1", "--threads", "2", "--out", out.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat((List<?>) j.get("teachers")).hasSize(2);
        // two identical members: the ensemble is the teacher
        assertThat(((Number) j.get("ensemble_accuracy")).doubleValue()).isEqualTo(teacherAccuracy, within(0.002));
        assertThat(((Number) j.get("temperature")).doubleValue()).isEqualTo(4.0);

        // running the teachers on every batch instead of remembering them gives the same targets (up to rounding)
        CliRun recompute = CliRun.of("distill", "--teacher", teacher + "," + teacher, "--student", "lenet300",
                "--embedded", "--epochs", "1", "--threads", "2", "--recompute-teachers", "--out", out.toString(), "--json");
        assertThat(recompute.code()).as(recompute.err()).isZero();
        Map<String, Object> k = MiniJson.parseObject(recompute.out());
        assertThat(k.get("student_alone_accuracy")).isEqualTo(j.get("student_alone_accuracy"));
        assertThat(((Number) k.get("accuracy")).doubleValue()).isEqualTo(((Number) j.get("accuracy")).doubleValue(),
                within(0.01));

        CliRun text = CliRun.of("distill", "--teacher", teacher.toString(), "--student", "lenet300", "--embedded",
                "--epochs", "1", "--threads", "2", "--out", out.toString());
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("soft targets for test image", "(Shirt):", "T=1", "T=4", "Ankle boot",
                "| student alone, 1 epochs |", "| student distilled, 1 epochs | 4 | 0.9 |",
                "saved " + out + ": the student distilled at T = 4");
    }

    @Test
    void badUsageIsReported() throws Exception {
        String out = dir.resolve("x.mnw").toString();
        String t = teacher.toString();
        assertThat(CliRun.of("distill", "--student", "lenet300", "--out", out).errLine())
                .contains("--teacher FILE is required");
        assertThat(CliRun.of("distill", "--teacher", t, "--out", out).errLine()).contains("--student NAME is required");
        assertThat(CliRun.of("distill", "--teacher", t, "--student", "lenet300").errLine())
                .contains("--out FILE is required");
        assertThat(CliRun.of("distill", "--teacher", t, "--student", "nosuchnet", "--out", out).errLine())
                .contains("--student must be a zoo name; 'nosuchnet' is not one of");
        assertThat(CliRun.of("distill", "--teacher", t, "--student", "lenet300", "--temperature", "2,0", "--out", out)
                .errLine()).contains("--temperature must be a positive number, got 0");
        assertThat(CliRun.of("distill", "--teacher", t, "--student", "lenet300", "--alpha", "1.5", "--out", out)
                .errLine()).contains("--alpha expects a fraction in [0, 1]");
        CliRun zoo = CliRun.of("distill", "--teacher", "lenet5", "--student", "lenet300", "--out", out);
        assertThat(zoo.code()).isEqualTo(2);
        assertThat(zoo.errLine()).contains("'lenet5' is an untrained zoo architecture");

        Path odd = dir.resolve("odd.mnw");
        Graph g = Zoo.build("lenet300");
        ModelFile.save(g, Map.of("normalization", "0.5,0.5"), odd);
        CliRun norm = CliRun.of("distill", "--teacher", odd.toString(), "--student", "lenet300", "--embedded", "--out",
                out);
        assertThat(norm.code()).isEqualTo(2);
        assertThat(norm.errLine()).contains("expects inputs normalised with mean 0.5 and std 0.5 but the student's"
                + " recipe uses mean");
        assertThat(Files.exists(dir.resolve("x.mnw"))).isFalse();
    }
}
