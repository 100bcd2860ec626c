package dev.minnow.compression.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class LineChartTest {

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(LineChart.niceStep(0.13)).isEqualTo(0.2, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(LineChart.niceStep(3)).isEqualTo(5);
        assertThat(LineChart.niceStep(7)).isEqualTo(10);
        assertThat(LineChart.niceStep(10)).isEqualTo(10);
        assertThat(LineChart.niceRange(new double[] {83.2, 91.7})).containsExactly(82, 92);
        assertThat(LineChart.ticks(new double[] {0, 100})).containsExactly(0.0, 20.0, 40.0, 60.0, 80.0, 100.0);
    }

    @Test
    void theSvgIsWellFormedXmlWithALinePerSeriesAndALegend(@TempDir Path dir) throws Exception {
        LineChart c = new LineChart("Accuracy <vs> sparsity", "sparsity (%)", "accuracy (%)")
                .series("fc1 & co", new double[] {0, 50, 90}, new double[] {90, 89.5, 80})
                .series("fc2", new double[] {0, 50, 90}, new double[] {90, Double.NaN, 70})
                .reference("baseline", 90);
        Path file = dir.resolve("c.svg");
        c.write(file);
        String svg = Files.readString(file);
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        // 3 + 2 markers (the NaN point is left out) and one legend marker per series
        assertThat(d.getElementsByTagName("circle").getLength()).isEqualTo(7);
        assertThat(svg).contains("Accuracy &lt;vs&gt; sparsity", "fc1 &amp; co", ">baseline<", "stroke-dasharray");
        assertThatThrownBy(() -> c.series("bad", new double[2], new double[3])).hasMessageContaining("2 x values but 3");
    }
}
