package dev.minnow.compression.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class ParetoFrontTest {

    @Test
    void theFrontIsWhatNoOtherModelBeatsOnBothCounts() {
        //                      a      b      c      d      e      f
        double[] accuracy = {91.7, 91.3, 90.0, 89.0, 91.3, 88.0};
        double[] bytes = {1.7e6, 36e3, 40e3, 20e3, 36e3, 500e3};
        // c: b is smaller and better; f: d is smaller and better; b and e tie (neither dominates the other)
        assertThat(ParetoFront.members(accuracy, bytes)).containsExactly(true, true, false, true, true, false);
        // cheapest first, ties by accuracy: d (20 k), b and e (36 k), a (1.7 M); accuracy rises along it
        assertThat(ParetoFront.ordered(accuracy, bytes)).containsExactly(3, 1, 4, 0);
    }

    @Test
    void equalCostKeepsOnlyTheBestAndNanIsNeverOnTheFront() {
        double[] accuracy = {90, 91, Double.NaN, 95};
        double[] cost = {10, 10, 1, Double.NaN};
        assertThat(ParetoFront.members(accuracy, cost)).containsExactly(false, true, false, false);
        assertThat(ParetoFront.dominates(91, 10, 90, 10)).isTrue();
        assertThat(ParetoFront.dominates(90, 10, 90, 10)).isFalse();
        assertThat(ParetoFront.dominates(92, 11, 90, 10)).isFalse();
        assertThatThrownBy(() -> ParetoFront.members(new double[2], new double[3]))
                .hasMessageContaining("2 quality values but 3 cost values");
    }

    @Test
    void aLogAxisGivesEachDecadeTheSameWidth() throws Exception {
        assertThat(SvgAxis.logRange(36e3, 1.7e6)).containsExactly(1e4, 1e7);
        assertThat(SvgAxis.logRange(100, 100)).containsExactly(100, 1000);
        assertThat(SvgAxis.logTicks(new double[] {1e4, 1e5})).containsExactly(1e4, 2e4, 5e4, 1e5);
        assertThat(SvgAxis.shortLabel(2e4)).isEqualTo("20k");
        assertThat(SvgAxis.shortLabel(1.5e6)).isEqualTo("1.5M");
        assertThat(SvgAxis.shortLabel(500)).isEqualTo("500");
        assertThatThrownBy(() -> SvgAxis.logRange(0, 10)).hasMessageContaining("positive");

        // x from 1e4 to 1e7 (3 decades over the 500-pixel plot starting at x = 70): 1e5 is a third of the way
        String svg = new LineChart("accuracy vs bytes", "bytes", "accuracy (%)").logX()
                .points("a", new double[] {1e5}, new double[] {90})
                .points("b", new double[] {1e6}, new double[] {91})
                .series("Pareto front", new double[] {1e5, 1e6}, new double[] {90, 91})
                .xRange(1e4, 1e7).yRange(89, 92).toSvg();
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        // the points series have no line: one polyline (the front) and one legend line
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(1);
        NodeList circles = d.getElementsByTagName("circle");
        String firstX = circles.item(0).getAttributes().getNamedItem("cx").getNodeValue();
        assertThat(Double.parseDouble(firstX)).isCloseTo(70 + 500.0 / 3, org.assertj.core.api.Assertions.within(0.06));
        String secondX = circles.item(1).getAttributes().getNamedItem("cx").getNodeValue();
        assertThat(Double.parseDouble(secondX)).isCloseTo(70 + 1000.0 / 3, org.assertj.core.api.Assertions.within(0.06));
        assertThat(svg).contains(">10k<", ">100k<", ">1M<", ">10M<", "Pareto front");
    }
}
