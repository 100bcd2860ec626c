package dev.minnow.jmh;

import dev.minnow.engine.kernel.KernelProvider;

/**
 * Benchmarks of Minnow's vector and scalar paths run in separate forks (the kernels are chosen
 * once per JVM: {@code -Dminnow.simd=scalar} forces the scalar ones); each checks in its setup
 * that its fork got the kernels it is named after, so a misconfigured fork fails instead of
 * silently measuring the wrong path.
 */
final class KernelCheck {

    private KernelCheck() {
    }

    /** Throws unless the JVM's kernels' name starts with {@code expected} ({@code "vector"} or {@code "scalar"}). */
    static void require(String expected) {
        String name = KernelProvider.kernels().name();
        if (!name.startsWith(expected)) {
            throw new IllegalStateException("this benchmark measures the " + expected + " kernels but the JVM chose '"
                    + name + "'; the vector kernels need --add-modules=jdk.incubator.vector, the scalar ones"
                    + " -Dminnow.simd=scalar");
        }
    }
}
