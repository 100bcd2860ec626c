package dev.minnow.engine.kernel;

/**
 * The operands of one inference convolution that a parallel loop body needs (input, bias, output,
 * the clamp of a fused activation), held by a job object its calling thread reuses, so that a
 * convolution allocates nothing. Subclasses add what their algorithm needs.
 */
abstract class ConvJob implements Parallel.RangeBody {
    float[] x;
    float[] b;
    float[] y;
    int xOff;
    int bOff;
    int yOff;
    float lo;
    float hi;

    /** Points the job at one call's operands. */
    final void setOperands(float[] in, int inOff, float[] bias, int biasOff, float[] out, int outOff,
                           float low, float high) {
        x = in;
        xOff = inOff;
        b = bias;
        bOff = biasOff;
        y = out;
        yOff = outOff;
        lo = low;
        hi = high;
    }

    /** Drops the references to the operands (the job outlives the call). */
    void clear() {
        x = null;
        b = null;
        y = null;
    }
}
