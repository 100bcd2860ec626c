package dev.minnow.compression.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class HistogramChartTest {

    @Test
    void countsFallIntoEqualWidthBinsWithTheMaximumInTheLast() {
        float[] v = {0f, 0.1f, 0.24f, 0.25f, 0.5f, 0.99f, 1f, Float.NaN};
        // bins of 0.25 over [0, 1]: [0, .25) [.25, .5) [.5, .75) [.75, 1]
        assertThat(HistogramChart.counts(v, 0, 1, 4)).containsExactly(3, 1, 1, 2);
    }

    @Test
    void theSvgIsWellFormedAndNamesEverySeries() throws Exception {
        String svg = new HistogramChart("fc1 <weights>", "weight", "count", 50)
                .series("before", new float[] {-0.2f, -0.1f, 0.1f, 0.15f, 0.3f})
                .series("after", new float[] {-0.15f, -0.15f, 0.2f, 0.2f, 0.2f})
                .markers("centroids", new float[] {-0.15f, 0.2f})
                .toSvg();
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("fc1 &lt;weights&gt;", ">before<", ">after<", ">centroids<");
        // bars: 5 distinct bins for "before", 2 for "after"; plus the legend's two swatches
        assertThat(d.getElementsByTagName("rect").getLength()).isEqualTo(1 + 1 + 5 + 2 + 2);
    }
}
