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
                         Tensor[] values, boolean[] perRunView, boolean[] elided) {
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
        // concatenations written in place: member value -> (concat output value, offset in it)
        int[] concatOf = new int[n];
        int[] concatOffset = new int[n];
        ValueInfo[] wholeInfo = new ValueInfo[n];
        Arrays.fill(concatOf, -1);
        if (reuse) {
            planInPlaceConcats(steps, infos, outputIds, values, lastUse, concatOf, concatOffset, wholeInfo, elided);
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
                if (concatOf[v] >= 0) {
                    // a view of the concatenation's buffer, taken when its first member is made
                    int whole = concatOf[v];
                    if (bufferOf[whole] == null) {
                        total += claim(whole, wholeInfo[whole], free, bufferOf, values, rootLastUse, end,
                                releaseAfter, s);
                    }
                    values[v] = Tensor.wrap(vi.shape(), bufferOf[whole], concatOffset[v]);
                    continue;
                }
                if (bufferOf[v] != null) {
                    continue;      // an in-place concatenation's output, claimed with its first member
                }
                total += claim(v, vi, free, bufferOf, values, rootLastUse, end, releaseAfter, s);
            }
            for (int v : releaseAfter.get(s)) {
                free.add(bufferOf[v]);
            }
        }
        return total;
    }

    /**
     * Finds the concatenations that can be skipped because their inputs are written where the
     * output wants them: a float {@code Concat} whose dimensions before its axis are all 1 (each
     * input is then one contiguous slice of the output: channels of a batch-1 image), whose inputs
     * are distinct values made by convolutions (ops known to write their output at its offset)
     * and read by nothing else, and none of them a graph output.
     */
    private static void planInPlaceConcats(List<Plan.Step> steps, Map<String, ValueInfo> infos, int[] outputIds,
                                           Tensor[] values, int[] lastUse, int[] concatOf, int[] concatOffset,
                                           ValueInfo[] wholeInfo, boolean[] elided) {
        int n = values.length;
        int[] producer = new int[n];
        int[] readers = new int[n];
        Arrays.fill(producer, -1);
        for (int s = 0; s < steps.size(); s++) {
            for (int out : steps.get(s).out()) {
                if (out >= 0) {
                    producer[out] = s;
                }
            }
            for (int in : steps.get(s).in()) {
                if (in >= 0) {
                    readers[in]++;
                }
            }
        }
        boolean[] isOutput = new boolean[n];
        for (int out : outputIds) {
            isOutput[out] = true;
        }
        for (int s = 0; s < steps.size(); s++) {
            Plan.Step step = steps.get(s);
            if (!(step.node().op() instanceof dev.minnow.engine.op.Concat concat) || step.out()[0] < 0) {
                continue;
            }
            ValueInfo outInfo = infos.get(step.node().outputs().get(0));
            if (outInfo.type() != DataType.FLOAT || outInfo.isConstant()) {
                continue;
            }
            int rank = outInfo.shape().rank();
            int axis = concat.axis() < 0 ? concat.axis() + rank : concat.axis();
            boolean fits = axis >= 0 && axis < rank;
            for (int d = 0; fits && d < axis; d++) {
                fits = outInfo.shape().dim(d) == 1;
            }
            int[] in = step.in();
            for (int i = 0; fits && i < in.length; i++) {
                int v = in[i];
                fits = v >= 0 && producer[v] >= 0 && producer[v] < s && readers[v] == 1 && lastUse[v] == s
                        && !isOutput[v] && values[v] == null && concatOf[v] < 0
                        && steps.get(producer[v]).node().op() instanceof dev.minnow.engine.op.Conv;
                for (int j = 0; fits && j < i; j++) {
                    fits = in[j] != v;
                }
            }
            if (!fits) {
                continue;
            }
            int offset = 0;
            for (int i = 0; i < in.length; i++) {
                concatOf[in[i]] = step.out()[0];
                concatOffset[in[i]] = offset;
                offset += infos.get(step.node().inputs().get(i)).shape().size();
            }
            wholeInfo[step.out()[0]] = outInfo;
            elided[s] = true;
        }
    }

    /**
     * Gives value {@code v} a buffer at step {@code s} (the smallest free one that fits, or a new
     * one), to return to the free list after its last reader; returns the floats newly allocated.
     */
    private static long claim(int v, ValueInfo vi, List<float[]> free, float[][] bufferOf, Tensor[] values,
                              int[] rootLastUse, int end, List<List<Integer>> releaseAfter, int s) {
        int size = vi.shape().size();
        float[] buf = takeBestFit(free, size);
        long added = 0;
        if (buf == null) {
            buf = new float[size];
            added = size;
        }
        bufferOf[v] = buf;
        values[v] = Tensor.wrap(vi.shape(), buf, 0);
        int last = rootLastUse[v];
        if (last != end) {
            releaseAfter.get(Math.max(last, s)).add(v);
        }
        return added;
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
