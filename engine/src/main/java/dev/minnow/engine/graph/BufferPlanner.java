package dev.minnow.engine.graph;

import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The memory planner of a {@link Plan}: decides once, when a plan is compiled, which buffer each
 * intermediate tensor lives in, so that a run allocates nothing and tensors whose lifetimes do not
 * overlap share storage (the "buffers MB" of {@code minnow summary}).
 */
final class BufferPlanner {
    private BufferPlanner() {
    }

    /**
     * Gives every runtime tensor storage. Reshape-only ops alias their input (a view of the same
     * buffer, or a per-run view of a caller's input). Other float tensors take a buffer from the
     * free list (smallest that fits) or a new one; a buffer returns to the list after the last
     * reader of every tensor that shares it. Graph outputs keep their buffers.
     *
     * @param values      filled in: the tensor of every value id a step writes
     * @param perRunView  filled in: true for the outputs of reshape-only ops whose input is given
     *                    at run time (the plan makes their view on each run)
     * @return floats allocated for intermediate and output tensors
     */
    static long allocate(List<Plan.Step> steps, Map<String, ValueInfo> infos, int[] outputIds, boolean reuse,
                         Tensor[] values, boolean[] perRunView) {
        int n = values.length;
        int[] root = new int[n];
        for (int v = 0; v < n; v++) {
            root[v] = v;
        }
        int[] lastUse = new int[n];
        Arrays.fill(lastUse, -1);
        for (int s = 0; s < steps.size(); s++) {
            Plan.Step step = steps.get(s);
            if (step.reshapeOnly()) {
                root[step.out()[0]] = root[step.in()[0]];
            }
            for (int in : step.in()) {
                if (in >= 0) {
                    lastUse[in] = s;
                }
            }
        }
        int end = Integer.MAX_VALUE;
        int[] rootLastUse = new int[n];
        Arrays.fill(rootLastUse, -1);
        for (int v = 0; v < n; v++) {
            int r = root[v];
            rootLastUse[r] = Math.max(rootLastUse[r], lastUse[v]);
        }
        for (int out : outputIds) {
            rootLastUse[root[out]] = end;
        }
        if (!reuse) {
            Arrays.fill(rootLastUse, end);
        }
        List<float[]> free = new ArrayList<>();
        List<List<Integer>> releaseAfter = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            releaseAfter.add(new ArrayList<>());
        }
        float[][] bufferOf = new float[n][];
        long total = 0;
        for (int s = 0; s < steps.size(); s++) {
            Plan.Step step = steps.get(s);
            for (int o = 0; o < step.out().length; o++) {
                int v = step.out()[o];
                if (v < 0) {
                    continue;
                }
                ValueInfo vi = infos.get(step.node().outputs().get(o));
                if (step.reshapeOnly() && o > 0 && vi.isConstant()) {
                    // a reshape-only op never runs: its other outputs are constants fixed when
                    // planning, already in values
                    continue;
                }
                if (step.reshapeOnly() && o == 0) {
                    int src = step.in()[0];
                    if (values[src] == null || perRunView[src]) {
                        perRunView[v] = true;
                    } else {
                        values[v] = values[src].reshape(vi.shape());
                    }
                    continue;
                }
                if (vi.type() != DataType.FLOAT) {
                    values[v] = Tensor.zeros(vi.shape(), vi.type());
                    continue;
                }
                int size = vi.shape().size();
                float[] buf = takeBestFit(free, size);
                if (buf == null) {
                    buf = new float[size];
                    total += size;
                }
                bufferOf[v] = buf;
                values[v] = Tensor.wrap(vi.shape(), buf, 0);
                int last = rootLastUse[v];
                if (last != end) {
                    releaseAfter.get(Math.max(last, s)).add(v);
                }
            }
            for (int v : releaseAfter.get(s)) {
                free.add(bufferOf[v]);
            }
        }
        return total;
    }

    private static float[] takeBestFit(List<float[]> free, int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int len = free.get(i).length;
            if (len >= size && (best < 0 || len < free.get(best).length)) {
                best = i;
            }
        }
        return best < 0 ? null : free.remove(best);
    }
}
