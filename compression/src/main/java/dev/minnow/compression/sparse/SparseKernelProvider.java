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

    private SparseKernelProvider() {
    }

    /** The implementation chosen for this JVM. */
    public static SparseKernels kernels() {
        return SELECTED;
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

    private static SparseKernels select() {
        if (KernelProvider.kernels() == KernelProvider.scalar()) {
            return ScalarSparseKernels.INSTANCE;
        }
        SparseKernels v = vectorOrNull();
        return v != null ? v : ScalarSparseKernels.INSTANCE;
    }
}
