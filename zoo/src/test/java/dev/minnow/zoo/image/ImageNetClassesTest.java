package dev.minnow.zoo.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageNetClassesTest {

    @Test
    void thousandNamesInTorchvisionsOrder() {
        assertThat(ImageNetClasses.names()).hasSize(1000);
        // well-known indices of the ILSVRC-2012 class list
        assertThat(ImageNetClasses.name(0)).isEqualTo("tench");
        assertThat(ImageNetClasses.name(1)).isEqualTo("goldfish");
        assertThat(ImageNetClasses.name(207)).isEqualTo("golden retriever");
        assertThat(ImageNetClasses.name(281)).isEqualTo("tabby");
        assertThat(ImageNetClasses.name(999)).isEqualTo("toilet tissue");
        assertThat(ImageNetClasses.names()).allSatisfy(n -> assertThat(n).isNotBlank());
        assertThatThrownBy(() -> ImageNetClasses.name(1000)).hasMessageContaining("classes 0 to 999");
    }
}
