package dev.minnow.compression.sparse;

import dev.minnow.engine.kernel.KernelProvider;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Chooses the {@link SparseKernels} once, following the engine's choice ({@link KernelProvider}):
 * the vector implementation when the engine runs its vector kernels (the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and {@code minnow.simd} is not {@code scalar}), the
 * scalar one otherwise. The vector class is loaded by name, so nothing touches the Vector API
 * when the module is absent.
 */
public final class SparseKernelProvider {
    private static final String VECTOR_CLASS = "dev.minnow.compression.sparse.vector.VectorSparseKernels";
    private static final SparseKernels SELECTED = select();
    private static final SparseKernels SLICED_TIMES_VECTOR = selectSlicedTimesVector();

    private SparseKernelProvider() {
    }

    /** The implementation chosen for this JVM. */
    public static SparseKernels kernels() {
        return SELECTED;
    }

    /**
     * The implementation for {@link SparseKernels#sellTimesVector} (the fully connected layer at
     * batch 1): the scalar one, even when the vector kernels are chosen, unless
     * {@code -Dminnow.sparse.gather=true}. Measured with {@code SparseFcBenchmark} on AMD Zen 3 (AVX2)
     * and JDK 17 (docs/pruning.md, section 6): eight scalar loads per step beat one 8-lane
     * gather ({@code vgatherdps}, microcoded, plus the Vector API's vector bounds check): the
     * gather was 1.1x to 2.1x slower on LeNet-300-100's and AlexNet's fc8 shapes at 90 % sparsity;
     * on AMD Zen 5 (AVX-512) 1.03x to 1.14x slower, and a 16-lane gather 1.5x
     * ({@code SparseRowKernelsBenchmark}).
     */
    public static SparseKernels slicedTimesVectorKernels() {
        return SLICED_TIMES_VECTOR;
    }

    public static SparseKernels scalar() {
        return ScalarSparseKernels.INSTANCE;
    }

    /** The Vector API implementation, or {@code null} when the module is not readable. */
    public static SparseKernels vectorOrNull() {
        if (!KernelProvider.vectorModulePresent()) {
            return null;
        }
        try {
            Class<?> c = Class.forName(VECTOR_CLASS);
            return (SparseKernels) MethodHandles.publicLookup()
                    .findConstructor(c, MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            System.err.println("minnow: could not load the vector sparse kernels (" + t + "); using scalar kernels");
            return null;
        }
    }

    private static SparseKernels selectSlicedTimesVector() {
        if (Boolean.getBoolean("minnow.sparse.gather") && SELECTED != ScalarSparseKernels.INSTANCE) {
            return SELECTED;
        }
        return ScalarSparseKernels.INSTANCE;
    }

    private static SparseKernels select() {
        if (KernelProvider.kernels() == KernelProvider.scalar()) {
            return ScalarSparseKernels.INSTANCE;
        }
        SparseKernels v = vectorOrNull();
        return v != null ? v : ScalarSparseKernels.INSTANCE;
    }
}
