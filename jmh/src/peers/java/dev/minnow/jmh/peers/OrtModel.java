package dev.minnow.jmh.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.minnow.engine.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model loaded into ONNX Runtime the way the benchmarks compare it with Minnow: intra-op
 * threads = the benchmark's thread count, inter-op threads 1, sequential execution, all graph
 * optimisations. Inputs are copied once into direct buffers and wrapped as {@link OnnxTensor}s
 * (no copy per run); outputs are "pinned" into direct buffers made once, so that {@link #run()}
 * measures the inference and not the allocation of result tensors.
 */
public final class OrtModel implements AutoCloseable {
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxValue> pinnedOutputs;
    private final Map<String, FloatBuffer> outputBuffers;

    private OrtModel(OrtSession session, Map<String, OnnxTensor> inputs, Map<String, OnnxValue> pinnedOutputs,
                     Map<String, FloatBuffer> outputBuffers) {
        this.session = session;
        this.inputs = inputs;
        this.pinnedOutputs = pinnedOutputs;
        this.outputBuffers = outputBuffers;
    }

    /** The environment shared by every session of the JVM, logging warnings and errors only. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "minnow-jmh");
    }

    /** The session settings of every comparison. */
    public static SessionOptions options(int threads) throws OrtException {
        SessionOptions o = new SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    /**
     * Loads {@code onnx} with {@code threads} threads and binds the given float inputs, by input
     * name. Runs once to learn the output shapes, then pins one direct buffer per output.
     */
    public static OrtModel load(byte[] onnx, int threads, Map<String, Tensor> inputValues) throws OrtException {
        OrtEnvironment env = environment();
        OrtSession session;
        try (SessionOptions options = options(threads)) {
            session = env.createSession(onnx, options);
        }
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputValues.entrySet()) {
            Tensor t = e.getValue();
            FloatBuffer buffer = directFloats(t.size());
            buffer.put(t.data(), t.offset(), t.size()).rewind();
            inputs.put(e.getKey(), OnnxTensor.createTensor(env, buffer, longs(t.shape().dims())));
        }
        Map<String, OnnxValue> pinned = new LinkedHashMap<>();
        Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
        try (OrtSession.Result first = session.run(inputs)) {
            for (Map.Entry<String, OnnxValue> e : first) {
                OnnxTensor out = (OnnxTensor) e.getValue();
                long[] shape = out.getInfo().getShape();
                FloatBuffer buffer = directFloats(Math.toIntExact(out.getInfo().getNumElements()));
                pinned.put(e.getKey(), OnnxTensor.createTensor(env, buffer, shape));
                buffers.put(e.getKey(), buffer);
            }
        }
        return new OrtModel(session, inputs, pinned, buffers);
    }

    /** {@link #load} for a model with one input, whatever its name. */
    public static OrtModel loadSingleInput(byte[] onnx, int threads, Tensor input) throws OrtException {
        String name;
        try (SessionOptions options = options(1); OrtSession probe = environment().createSession(onnx, options)) {
            if (probe.getInputInfo().size() != 1) {
                throw new IllegalArgumentException("expected a model with one input, found " + probe.getInputInfo().keySet());
            }
            name = probe.getInputInfo().keySet().iterator().next();
        }
        return load(onnx, threads, Map.of(name, input));
    }

    /** One inference, writing into the pinned output buffers. */
    public void run() throws OrtException {
        session.run(inputs, pinnedOutputs).close();
    }

    /** A copy of the first output after {@link #run()}. */
    public float[] firstOutput() {
        return output(outputBuffers.keySet().iterator().next());
    }

    /** A copy of an output after {@link #run()}. */
    public float[] output(String name) {
        FloatBuffer b = outputBuffers.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no output named '" + name + "'; outputs: " + outputBuffers.keySet());
        }
        float[] copy = new float[b.capacity()];
        b.duplicate().rewind().get(copy);
        return copy;
    }

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static long[] longs(int[] dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            l[i] = dims[i];
        }
        return l;
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor t : inputs.values()) {
            t.close();
        }
        for (OnnxValue v : pinnedOutputs.values()) {
            v.close();
        }
        session.close();
    }
}
