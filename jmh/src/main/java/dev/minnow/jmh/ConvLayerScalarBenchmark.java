package dev.minnow.jmh;

import org.openjdk.jmh.annotations.Fork;

/** {@link ConvLayerBenchmark} on the scalar kernels (a fork with {@code -Dminnow.simd=scalar}). */
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"},
        jvmArgsAppend = "-Dminnow.simd=scalar")
public class ConvLayerScalarBenchmark extends ConvLayerBenchmark {

    @Override
    protected String kernels() {
        return "scalar";
    }
}
