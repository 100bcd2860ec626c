package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.zoo.models.TinyInception;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow fuse}, {@code profile} and {@code rebirth}, and the optimisation every running command applies. */
class FusionCommandsTest {

    @TempDir
    Path dir;

    @Test
    void fuseWritesAnOptimisedModelThatBenchAndProfileRun() throws Exception {
        Path out = dir.resolve("lenet5.mnw");
        CliRun r = CliRun.of("fuse", "lenet5", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fuse-activation: fused 'relu1' (Relu) into 'fc1' (Gemm) -> FusedGemm")
                .contains("lenet5: 8 -> 7 nodes, 2.29 M -> 2.29 M MACs per image; saved " + out);
        Graph g = ModelFile.load(out).graph();
        assertThat(g.nodes()).anyMatch(n -> n.op().opType().equals("FusedGemm"));
        CliRun bench = CliRun.of("bench", out.toString(), "--iterations", "2", "--warmup", "0", "--threads", "1");
        assertThat(bench.code()).as(bench.err()).isZero();
        CliRun profile = CliRun.of("profile", out.toString(), "--iterations", "2", "--warmup", "0", "--json");
        assertThat(profile.code()).as(profile.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(profile.out().strip());
        assertThat(j.get("graph")).isEqualTo("optimised for inference, 7 -> 7 nodes");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> types = (List<Map<String, Object>>) j.get("op_types");
        assertThat(types).anyMatch(t -> t.get("op").equals("FusedGemm") && t.get("tensor").equals(true));
        assertThat(types.stream().mapToDouble(t -> (Double) t.get("share")).sum()).isCloseTo(1.0, within(1e-6));
        // to ONNX: the fused ops lowered to standard ones
        Path onnx = dir.resolve("lenet5.onnx");
        assertThat(CliRun.of("fuse", "lenet5", "--exact", "--out", onnx.toString()).code()).isZero();
        assertThat(OnnxReader.read(onnx).nodes()).noneMatch(n -> n.op().opType().startsWith("Fused"));
    }

    @Test
    void theDeepRebirthMergesOfGoogLeNetRunInBench() throws Exception {
        Path out = dir.resolve("rebirth.mnw");
        CliRun r = CliRun.of("fuse", "googlenet_bvlc", "--streamline", "--branch", "--exact", "--out", out.toString(),
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat((Double) j.get("macs_after")).isLessThan(0.6 * (Double) j.get("macs_before"));
        assertThat((Double) j.get("nodes_after")).isLessThan(60.0);
        assertThat(j.get("changes").toString()).contains("streamline-merging: merged pool1 (MaxPool), lrn1 (LRN) "
                + "into 'conv1' (Conv): stride 2 -> 4").contains("branch-merging: module inception5b/concat1");
        CliRun bench = CliRun.of("bench", out.toString(), "--iterations", "1", "--warmup", "0", "--json");
        assertThat(bench.code()).as(bench.err()).isZero();
    }

    @Test
    void profileShowsTheNonTensorShareOfTheGraphAsLoaded() {
        CliRun r = CliRun.of("profile", "lenet5", "--no-optimize", "--iterations", "3", "--warmup", "1", "--top", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(as loaded, 8 nodes)").contains("Conv *").contains("Relu ")
                .containsPattern("tensor layers \\(\\*\\): \\d+\\.\\d %, non-tensor layers: \\d+\\.\\d %")
                .contains("slowest nodes:");
    }

    @Test
    void runningCommandsOptimiseUnlessToldNotToAndSayWhatChangedWhenVerbose() {
        CliRun verbose = CliRun.of("run", "mobilenet_v2", "--verbose", "--threads", "1", "--json");
        assertThat(verbose.code()).as(verbose.err()).isZero();
        assertThat(verbose.err()).contains("minnow: optimised for inference: 153 -> 65 nodes (remove-dropout-identity 1,"
                + " fold-batchnorm 52, fuse-activation 35)")
                .contains("fold-batchnorm: folded 'features.0/bn1' (BatchNormalization) into 'features.0/conv1' (Conv)");
        CliRun plain = CliRun.of("run", "mobilenet_v2", "--no-optimize", "--verbose", "--threads", "1", "--json");
        assertThat(plain.err()).doesNotContain("optimised");
        // the same top-5 either way (the logits agree to float rounding)
        Map<String, Object> a = MiniJson.parseObject(verbose.out().strip());
        Map<String, Object> b = MiniJson.parseObject(plain.out().strip());
        assertThat(a.get("top5").toString().replaceAll("value=[^,}]*", ""))
                .isEqualTo(b.get("top5").toString().replaceAll("value=[^,}]*", ""));
        CliRun summary = CliRun.of("summary", "resnet18");
        assertThat(summary.out()).contains("optimised for inference (as run, bench and eval execute it; --optimized "
                + "shows it): 69 -> 32 nodes (fold-batchnorm 20, fuse-activation 9, fuse-add-relu 8)");
    }

    @Test
    void fuseRefusesWhatItCannotDo() throws Exception {
        assertThat(CliRun.of("fuse", "lenet5").errLine()).contains("--out FILE is required");
        assertThat(CliRun.of("fuse", "lenet5", "--retrain-epochs", "2", "--out", "x.mnw").errLine())
                .contains("add --streamline and/or --branch");
        CliRun wrongInput = CliRun.of("fuse", "googlenet_bvlc", "--streamline", "--retrain-epochs", "1", "--embedded",
                "--out", dir.resolve("x.mnw").toString());
        assertThat(wrongInput.code()).isEqualTo(CliException.BAD_INPUT);
        assertThat(wrongInput.errLine()).contains("needs a model with [N, 1, 28, 28] input; this one takes [?, 3, 224, 224]");
    }

    @Test
    void rebirthRunsTheExperimentEndToEnd() throws Exception {
        // no training (epochs 0): the flow, the files and the report; docs/deeprebirth.md has the real run
        CliRun r = CliRun.of("rebirth", "--embedded", "--epochs", "0", "--retrain-epochs", "0", "--iterations", "3",
                "--out-dir", dir.toString(), "--threads", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j).containsKeys("original", "rebirth", "speedup", "accuracy_drop_points");
        @SuppressWarnings("unchecked")
        Map<String, Object> orig = (Map<String, Object>) j.get("original");
        assertThat(orig.get("macs")).isEqualTo((double) 1_982_008);
        assertThat(Files.exists(dir.resolve("original.mnw"))).isTrue();
        Graph merged = ModelFile.load(dir.resolve("rebirth.mnw")).graph();
        assertThat(merged.nodes()).noneMatch(n -> n.op().opType().equals("LRN"));
        assertThat(TinyInception.build(10, 1, 28, 28, 1).nodes().size()).isGreaterThan(merged.nodes().size());
    }
}
