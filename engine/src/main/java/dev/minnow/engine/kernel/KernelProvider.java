package dev.minnow.engine.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Chooses the {@link SimdKernels} implementation once, at start-up, the way Apache Lucene's
 * {@code VectorizationProvider} does: the vector implementation is used only when the module
 * {@code jdk.incubator.vector} is readable (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), and its class is loaded by name so that no class
 * touching the Vector API is ever linked otherwise. Without the module, Minnow runs on the scalar
 * kernels and says once, on stderr, how to get the faster ones.
 *
 * <p>The system property {@code minnow.simd=scalar} forces the scalar kernels (benchmarks use it
 * to measure the fallback; tests use both implementations side by side).
 */
public final class KernelProvider {
    private static final String VECTOR_CLASS = "dev.minnow.engine.kernel.vector.VectorKernels";
    private static final SimdKernels SELECTED = select();
    private static final String VECTOR_INT8_CLASS = "dev.minnow.engine.kernel.vector.VectorInt8Kernels";
    private static final Int8Kernels SELECTED_INT8 = SELECTED == ScalarKernels.INSTANCE ? ScalarInt8Kernels.INSTANCE
            : orScalar(int8VectorOrNull());

    private KernelProvider() {
    }

    /** The implementation chosen for this JVM. */
    public static SimdKernels kernels() {
        return SELECTED;
    }

    /** The plain-Java implementation, always available. */
    public static SimdKernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /**
     * The integer kernels of quantized inference, chosen with the float ones: vector when
     * {@link #kernels()} is, scalar otherwise.
     */
    public static Int8Kernels int8() {
        return SELECTED_INT8;
    }

    /** The plain-Java integer kernels, always available. */
    public static Int8Kernels int8Scalar() {
        return ScalarInt8Kernels.INSTANCE;
    }

    /** The Vector API integer kernels, or {@code null} when the module is not readable. */
    public static Int8Kernels int8VectorOrNull() {
        if (!vectorModulePresent()) {
            return null;
        }
        try {
            Class<?> c = Class.forName(VECTOR_INT8_CLASS);
            return (Int8Kernels) MethodHandles.publicLookup()
                    .findConstructor(c, MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            System.err.println("minnow: could not load the vector int8 kernels (" + t + "); using scalar kernels");
            return null;
        }
    }

    private static Int8Kernels orScalar(Int8Kernels k) {
        return k != null ? k : ScalarInt8Kernels.INSTANCE;
    }

    /** The Vector API implementation, or {@code null} when the module is not readable. */
    public static SimdKernels vectorOrNull() {
        if (!vectorModulePresent()) {
            return null;
        }
        try {
            Class<?> c = Class.forName(VECTOR_CLASS);
            return (SimdKernels) MethodHandles.publicLookup()
                    .findConstructor(c, MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            System.err.println("minnow: could not load the vector kernels (" + t + "); using scalar kernels");
            return null;
        }
    }

    /** True when the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static SimdKernels select() {
        String forced = System.getProperty("minnow.simd", "").trim();
        if (forced.equalsIgnoreCase("scalar")) {
            return ScalarKernels.INSTANCE;
        }
        SimdKernels v = vectorOrNull();
        if (v != null) {
            return v;
        }
        if (!forced.equalsIgnoreCase("quiet")) {
            System.err.println("minnow: SIMD kernels are off; start java with --add-modules jdk.incubator.vector "
                    + "for about 3x faster inference (or -Dminnow.simd=scalar to silence this)");
        }
        return ScalarKernels.INSTANCE;
    }
}
