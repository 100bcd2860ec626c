package dev.minnow.jmh;

import org.openjdk.jmh.annotations.Fork;

/** {@link SparseGemmBenchmark} on the scalar kernels, dense and sparse (a fork with {@code -Dminnow.simd=scalar}). */
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"},
        jvmArgsAppend = "-Dminnow.simd=scalar")
public class SparseGemmScalarBenchmark extends SparseGemmBenchmark {

    @Override
    protected String kernels() {
        return "scalar";
    }
}
