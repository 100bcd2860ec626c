package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.cluster.KMeansInit;
import dev.minnow.compression.format.MnzFile;
import dev.minnow.compression.pipeline.DeepCompression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow compress} on the embedded subset, without fine-tuning (the full pipeline is in docs). */
class CompressCommandTest {

    @Test
    void compressWritesAnMnzThatEvalSummaryAndRunAccept(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("lenet300.mnz");
        CliRun r = CliRun.of("compress", "lenet300", "--embedded", "--prune", "sparsity=0.9,fc3=0.5",
                "--cluster", "fc=4", "--index-bits", "fc=5", "--huffman", "--finetune-epochs", "0",
                "--out", out.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j).containsKeys("baseline_accuracy", "accuracy", "bytes_before", "bytes_after", "ratio",
                "pruning_ratio", "stages", "layers", "out");
        assertThat(((Number) j.get("bytes_before")).longValue()).isEqualTo(4L * 266_610);
        assertThat(((Number) j.get("bytes_after")).longValue()).isEqualTo(Files.size(out));
        assertThat(((Number) j.get("ratio")).doubleValue()).isGreaterThan(20);
        assertThat(j.get("bit_identical")).isEqualTo(true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertThat(layers).extracting(l -> l.get("name")).containsExactly("fc1.weight", "fc2.weight", "fc3.weight");
        assertThat(layers.get(0)).containsEntry("bits", 4.0).containsEntry("index_bits", 5.0)
                .containsEntry("weights", 235_200.0).containsEntry("kept", 23_520.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages = (List<Map<String, Object>>) j.get("stages");
        assertThat(stages).extracting(s -> s.get("name")).containsExactly("baseline", "pruned", "clustered",
                "decoded from lenet300.mnz");
        assertThat(MiniJson.pythonAccepts(r.out())).isNotEqualTo(Boolean.FALSE);

        CliRun eval = CliRun.of("eval", out.toString(), "--embedded", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(((Number) MiniJson.parseObject(eval.out().strip()).get("accuracy")).doubleValue())
                .isEqualTo(((Number) j.get("accuracy")).doubleValue());
        CliRun summary = CliRun.of("summary", out.toString());
        assertThat(summary.code()).as(summary.err()).isZero();
        assertThat(summary.out()).contains("fc1");
        CliRun run = CliRun.of("run", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
    }

    @Test
    void textOutputIsThePerLayerTableAndTheStages(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("l.mnz");
        CliRun r = CliRun.of("compress", "lenet300", "--embedded", "--prune", "q=1.0", "--cluster", "3",
                "--finetune-epochs", "0", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("layer", "kept", "P+Q+H", "bytes", "fc1", "fc2", "fc3", "graph+biases", "total",
                "baseline", "clustered", "bit-identical");
        assertThat(MnzFile.load(out).layers()).hasSize(3);
    }

    @Test
    void badArgumentsAreOneLineUsageErrors(@TempDir Path dir) {
        String out = dir.resolve("x.mnz").toString();
        CliRun noOut = CliRun.of("compress", "lenet300", "--embedded");
        assertThat(noOut.code()).isEqualTo(2);
        assertThat(noOut.errLine()).contains("--out FILE.mnz is required");
        CliRun badPrune = CliRun.of("compress", "lenet300", "--embedded", "--prune", "sparsity=2", "--out", out);
        assertThat(badPrune.code()).isEqualTo(2);
        assertThat(badPrune.errLine()).contains("sparsity of sparsity must be in [0, 1)");
        CliRun badBits = CliRun.of("compress", "lenet300", "--embedded", "--cluster", "fc=12", "--out", out);
        assertThat(badBits.errLine()).contains("--cluster: bit widths are whole numbers from 1 to 8");
        CliRun badRecipe = CliRun.of("compress", "lenet300", "--embedded", "--recipe", "magic", "--out", out);
        assertThat(badRecipe.errLine()).contains("unknown recipe 'magic'");
        CliRun badLayer = CliRun.of("compress", "lenet300", "--embedded", "--prune", "conv9=0.5",
                "--finetune-epochs", "0", "--out", out);
        assertThat(badLayer.code()).isEqualTo(2);
        assertThat(badLayer.errLine()).contains("conv9");
        CliRun badInit = CliRun.of("compress", "lenet300", "--embedded", "--init", "median", "--out", out);
        assertThat(badInit.errLine()).contains("linear, random, density or kmeans++");
    }

    @Test
    void theRecipeAppliesThePapersSettingsAndOptionsOverrideThem() throws Exception {
        ArgSpec spec = new CompressCommand().spec();
        DeepCompression.Settings lenet5 = CompressCommand.settings(spec.parse(List.of("m", "--recipe",
                "deep-compression")), "lenet5");
        assertThat(lenet5.prune().perLayer()).containsEntry("conv1", 0.34).containsEntry("fc1", 0.95);
        assertThat(lenet5.indexBits().fc()).isEqualTo(8);
        assertThat(lenet5.weightBits().conv()).isEqualTo(8);
        assertThat(lenet5.weightBits().fc()).isEqualTo(5);
        assertThat(lenet5.huffman()).isTrue();
        assertThat(lenet5.init()).isEqualTo(KMeansInit.LINEAR);
        DeepCompression.Settings custom = CompressCommand.settings(spec.parse(List.of("m", "--recipe",
                "deep-compression", "--cluster", "fc=4", "--finetune-epochs", "1", "--init", "density")), "lenet300");
        assertThat(custom.weightBits().fc()).isEqualTo(4);
        assertThat(custom.pruneEpochs()).isEqualTo(1);
        assertThat(custom.clusterEpochs()).isEqualTo(1);
        assertThat(custom.init()).isEqualTo(KMeansInit.DENSITY);
        assertThat(custom.prune().perLayer()).containsEntry("fc1", 0.94);
    }
}
