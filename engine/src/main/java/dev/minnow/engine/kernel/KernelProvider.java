package dev.minnow.engine.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

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
            : Objects.requireNonNullElse(int8VectorOrNull(), ScalarInt8Kernels.INSTANCE);
    private static final String VECTOR_BINARY_CLASS = "dev.minnow.engine.kernel.vector.VectorBinaryKernels";
    private static final BinaryKernels SELECTED_BINARY = SELECTED == ScalarKernels.INSTANCE
            ? ScalarBinaryKernels.INSTANCE
            : Objects.requireNonNullElse(binaryVectorOrNull(), ScalarBinaryKernels.INSTANCE);

    private static final String VECTOR_WINOGRAD_CLASS = "dev.minnow.engine.kernel.vector.VectorWinograd";
    private static final WinogradTransforms SELECTED_WINOGRAD = SELECTED == ScalarKernels.INSTANCE
            ? WinogradTransforms.Scalar.INSTANCE
            : Objects.requireNonNullElse(winogradVectorOrNull(), WinogradTransforms.Scalar.INSTANCE);

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
        return loadVector(VECTOR_INT8_CLASS, Int8Kernels.class, "int8");
    }

    /**
     * The XNOR-popcount kernels of binary convolutions, chosen with the float ones: vector when
     * {@link #kernels()} is, scalar otherwise.
     */
    public static BinaryKernels binary() {
        return SELECTED_BINARY;
    }

    /** The plain-Java XNOR-popcount kernels, always available. */
    public static BinaryKernels binaryScalar() {
        return ScalarBinaryKernels.INSTANCE;
    }

    /** The Vector API XNOR-popcount kernels, or {@code null} when the module is not readable. */
    public static BinaryKernels binaryVectorOrNull() {
        return loadVector(VECTOR_BINARY_CLASS, BinaryKernels.class, "binary");
    }

    /**
     * The transforms of Winograd convolutions, chosen with the float kernels: vector when
     * {@link #kernels()} is, scalar otherwise.
     */
    public static WinogradTransforms winograd() {
        return SELECTED_WINOGRAD;
    }

    /** The Vector API Winograd transforms, or {@code null} when the module is not readable. */
    public static WinogradTransforms winogradVectorOrNull() {
        return loadVector(VECTOR_WINOGRAD_CLASS, WinogradTransforms.class, "Winograd");
    }

    /** The Vector API implementation, or {@code null} when the module is not readable. */
    public static SimdKernels vectorOrNull() {
        return loadVector(VECTOR_CLASS, SimdKernels.class, "float");
    }

    /**
     * Instantiates a Vector API implementation by name (so that nothing touching the Vector API is
     * linked without the module), or returns {@code null}, saying why on stderr if loading failed.
     */
    private static <T> T loadVector(String className, Class<T> type, String what) {
        if (!vectorModulePresent()) {
            return null;
        }
        try {
            Class<?> c = Class.forName(className);
            return type.cast(MethodHandles.publicLookup().findConstructor(c, MethodType.methodType(void.class)).invoke());
        } catch (Throwable t) {
            System.err.println("minnow: could not load the vector " + what + " kernels (" + t + "); using scalar kernels");
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
