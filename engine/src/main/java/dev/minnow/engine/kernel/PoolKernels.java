package dev.minnow.engine.kernel;

/**
 * Pooling kernels over NCHW float arrays, written as plain reference loops.
 *
 * <p>A "plane" is one {@code (n, c)} pair: pooling never mixes channels, so the batch and channel
 * axes collapse into {@code planes = N * C}. Geometry arrays hold three spatial axes {@code (D, H, W)},
 * with leading lengths of 1 for 1-D and 2-D inputs (kernel 1, stride 1, no padding there).
 */
public final class PoolKernels {
    private PoolKernels() {
    }

    /**
     * The position (within its plane) of the maximum of one pooling window, or -1 when the window
     * holds no input element: the first maximum in scan order wins, and a NaN wins over numbers.
     */
    private static int windowWinner(float[] x, int xPlane, int od, int oh, int ow, int[] in, int[] kernel,
                                    int[] strides, int[] padBegin, int[] dilations) {
        int inD = in[0], inH = in[1], inW = in[2];
        float max = Float.NEGATIVE_INFINITY;
        int best = -1;
        for (int kd = 0; kd < kernel[0]; kd++) {
            int id = od * strides[0] - padBegin[0] + kd * dilations[0];
            if (id < 0 || id >= inD) {
                continue;
            }
            for (int kh = 0; kh < kernel[1]; kh++) {
                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                if (ih < 0 || ih >= inH) {
                    continue;
                }
                for (int kw = 0; kw < kernel[2]; kw++) {
                    int iw = ow * strides[2] - padBegin[2] + kw * dilations[2];
                    if (iw < 0 || iw >= inW) {
                        continue;
                    }
                    int pos = (id * inH + ih) * inW + iw;
                    float v = x[xPlane + pos];
                    if (best < 0 || v > max || Float.isNaN(v)) {
                        max = v;
                        best = pos;
                    }
                }
            }
        }
        return best;
    }

    /**
     * Max pooling: {@code y = max} of the input positions the (dilated) window covers; padding
     * never wins (it acts as -infinity). A NaN in the window propagates, as in PyTorch. Ties keep
     * the first position in row-major order.
     *
     * @param indices          when not {@code null}, receives the flat index of each maximum in the
     *                         whole input tensor, ONNX's {@code Indices} output: plane * planeSize
     *                         plus the position within the plane
     * @param columnMajorIndices position within the plane counted with the first spatial axis
     *                         fastest ({@code d + D*(h + H*w)}, ONNX {@code storage_order = 1})
     *                         instead of the last ({@code (d*H + h)*W + w})
     */
    public static void maxPoolNaive(float[] x, int xOff, float[] y, int yOff, long[] indices, int iOff,
            boolean columnMajorIndices, int planes, int[] in, int[] out, int[] kernel, int[] strides,
            int[] padBegin, int[] dilations) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        for (int p = 0; p < planes; p++) {
            int xPlane = xOff + p * inPlane;
            for (int od = 0; od < outD; od++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int best = windowWinner(x, xPlane, od, oh, ow, in, kernel, strides, padBegin, dilations);
                        float max = best < 0 ? Float.NEGATIVE_INFINITY : x[xPlane + best];
                        int o = p * outPlane + (od * outH + oh) * outW + ow;
                        y[yOff + o] = max;
                        if (indices != null) {
                            long at = best;
                            if (best >= 0 && columnMajorIndices) {
                                int d = best / (inH * inW);
                                int h = best / inW % inH;
                                int w = best % inW;
                                at = d + (long) inD * (h + (long) inH * w);
                            }
                            indices[iOff + o] = best < 0 ? -1 : (long) p * inPlane + at;
                        }
                    }
                }
            }
        }
    }

    /**
     * Average pooling: the mean of the input positions the window covers.
     *
     * <p>Along each axis the window {@code [o*s - pb, o*s - pb + k)} is first clipped to the padded
     * input {@code [-pb, in + pe)} (a ceil-mode window may hang over even the padding), then to the
     * input {@code [0, in)}. The divisor is the product of the clipped-to-padding lengths when
     * {@code countIncludePad} (zeros of the padding count, ONNX {@code count_include_pad = 1}), else
     * the number of input elements summed. This matches PyTorch's {@code avg_pool}.
     */
    public static void averagePoolNaive(float[] x, int xOff, float[] y, int yOff, int planes, int[] in, int[] out,
            int[] kernel, int[] strides, int[] padBegin, int[] padEnd, boolean countIncludePad) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        for (int p = 0; p < planes; p++) {
            int xPlane = xOff + p * inPlane;
            for (int od = 0; od < outD; od++) {
                int d0 = od * strides[0] - padBegin[0];
                int d1 = Math.min(d0 + kernel[0], inD + padEnd[0]);
                int padLenD = d1 - d0;
                d0 = Math.max(d0, 0);
                d1 = Math.min(d1, inD);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = oh * strides[1] - padBegin[1];
                    int h1 = Math.min(h0 + kernel[1], inH + padEnd[1]);
                    int padLenH = h1 - h0;
                    h0 = Math.max(h0, 0);
                    h1 = Math.min(h1, inH);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = ow * strides[2] - padBegin[2];
                        int w1 = Math.min(w0 + kernel[2], inW + padEnd[2]);
                        int padLenW = w1 - w0;
                        w0 = Math.max(w0, 0);
                        w1 = Math.min(w1, inW);
                        float sum = 0f;
                        for (int id = d0; id < d1; id++) {
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0; iw < w1; iw++) {
                                    sum += x[xPlane + (id * inH + ih) * inW + iw];
                                }
                            }
                        }
                        int count = countIncludePad ? padLenD * padLenH * padLenW
                                : Math.max(0, d1 - d0) * Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
                        y[yOff + p * outPlane + (od * outH + oh) * outW + ow] = sum / count;
                    }
                }
            }
        }
    }

    /** {@code y[p] = mean of x[p, *]} over each plane of {@code planeSize} elements. */
    public static void globalAveragePool(float[] x, int xOff, float[] y, int yOff, int planes, int planeSize) {
        for (int p = 0; p < planes; p++) {
            int base = xOff + p * planeSize;
            float sum = 0f;
            for (int i = 0; i < planeSize; i++) {
                sum += x[base + i];
            }
            y[yOff + p] = sum / planeSize;
        }
    }

    /** {@code y[p] = max of x[p, *]} over each plane; NaN propagates. */
    public static void globalMaxPool(float[] x, int xOff, float[] y, int yOff, int planes, int planeSize) {
        for (int p = 0; p < planes; p++) {
            int base = xOff + p * planeSize;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < planeSize; i++) {
                float v = x[base + i];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                }
            }
            y[yOff + p] = max;
        }
    }

    /**
     * Backward of {@link #maxPoolNaive}: each output's gradient goes to the input that won its
     * window, {@code dx[argmax] += dy}; the other inputs of the window get nothing (max is
     * piecewise the identity of its winner). The winner is found again from {@code x} with the
     * forward's rule (the first maximum in row-major order, a NaN wins), so nothing needs saving;
     * a window with no input position contributes nothing. {@code dx} is added to, not cleared.
     */
    public static void maxPoolBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int planes,
            int[] in, int[] out, int[] kernel, int[] strides, int[] padBegin, int[] dilations) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        for (int p = 0; p < planes; p++) {
            int xPlane = xOff + p * inPlane;
            for (int od = 0; od < outD; od++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int best = windowWinner(x, xPlane, od, oh, ow, in, kernel, strides, padBegin, dilations);
                        if (best >= 0) {
                            dx[dxOff + p * inPlane + best] += dy[dyOff + p * outPlane + (od * outH + oh) * outW + ow];
                        }
                    }
                }
            }
        }
    }

    /**
     * Backward of {@link #averagePoolNaive}: each output is {@code (1/count) * sum} of its window's
     * inputs, so every input inside the window receives {@code dy / count}, with the same window
     * clipping and the same {@code count} (with or without the padding) as the forward pass.
     * {@code dx} is added to, not cleared.
     */
    public static void averagePoolBackward(float[] dy, int dyOff, float[] dx, int dxOff, int planes, int[] in,
            int[] out, int[] kernel, int[] strides, int[] padBegin, int[] padEnd, boolean countIncludePad) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        for (int p = 0; p < planes; p++) {
            int xPlane = dxOff + p * inPlane;
            for (int od = 0; od < outD; od++) {
                int d0 = od * strides[0] - padBegin[0];
                int d1 = Math.min(d0 + kernel[0], inD + padEnd[0]);
                int padLenD = d1 - d0;
                d0 = Math.max(d0, 0);
                d1 = Math.min(d1, inD);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = oh * strides[1] - padBegin[1];
                    int h1 = Math.min(h0 + kernel[1], inH + padEnd[1]);
                    int padLenH = h1 - h0;
                    h0 = Math.max(h0, 0);
                    h1 = Math.min(h1, inH);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = ow * strides[2] - padBegin[2];
                        int w1 = Math.min(w0 + kernel[2], inW + padEnd[2]);
                        int padLenW = w1 - w0;
                        w0 = Math.max(w0, 0);
                        w1 = Math.min(w1, inW);
                        int count = countIncludePad ? padLenD * padLenH * padLenW
                                : Math.max(0, d1 - d0) * Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
                        if (count == 0) {
                            continue;
                        }
                        float g = dy[dyOff + p * outPlane + (od * outH + oh) * outW + ow] / count;
                        for (int id = d0; id < d1; id++) {
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0; iw < w1; iw++) {
                                    dx[xPlane + (id * inH + ih) * inW + iw] += g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Backward of {@link #globalAveragePool}: {@code dx[p, i] += dy[p] / planeSize}. */
    public static void globalAveragePoolBackward(float[] dy, int dyOff, float[] dx, int dxOff, int planes,
            int planeSize) {
        for (int p = 0; p < planes; p++) {
            float g = dy[dyOff + p] / planeSize;
            int base = dxOff + p * planeSize;
            for (int i = 0; i < planeSize; i++) {
                dx[base + i] += g;
            }
        }
    }

    /**
     * Backward of {@link #globalMaxPool}: {@code dx[p, argmax] += dy[p]}, the argmax being the
     * first maximum of the plane (or its first NaN), as the forward pass picks it.
     */
    public static void globalMaxPoolBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
            int planes, int planeSize) {
        if (planeSize == 0) {
            return;
        }
        for (int p = 0; p < planes; p++) {
            int base = p * planeSize;
            int best = 0;
            float max = x[xOff + base];
            for (int i = 1; i < planeSize && !Float.isNaN(max); i++) {
                float v = x[xOff + base + i];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                    best = i;
                }
            }
            dx[dxOff + base + best] += dy[dyOff + p];
        }
    }

    /**
     * 2-D max pooling without dilation for training: writes the maxima to {@code y} and, for each
     * output, the flat index (within the input tensor) of the element that won into
     * {@code winners}, with {@link #maxPoolNaive}'s rule (first maximum wins; a NaN wins over
     * numbers). The backward pass is then a scatter ({@link #maxPoolScatter}), with no second look
     * at the input. Planes are split across threads.
     */
    public static void maxPool2dWithWinners(float[] x, int xOff, float[] y, int yOff, int[] winners, int planes,
                                            int inH, int inW, int outH, int outW, int kH, int kW, int sH, int sW,
                                            int padTop, int padLeft, int threads) {
        maxPool2dWithWinners(KernelProvider.kernels(), x, xOff, y, yOff, winners, planes, inH, inW, outH, outW,
                kH, kW, sH, sW, padTop, padLeft, threads);
    }

    /** As above with the given kernels (2x2, stride 2 windows run {@link SimdKernels#maxPool2x2Row}). */
    public static void maxPool2dWithWinners(SimdKernels kernels, float[] x, int xOff, float[] y, int yOff,
                                            int[] winners, int planes, int inH, int inW, int outH, int outW, int kH,
                                            int kW, int sH, int sW, int padTop, int padLeft, int threads) {
        long work = (long) planes * outH * outW * kH * kW;
        if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && padTop == 0 && padLeft == 0
                && 2 * outH <= inH && 2 * outW <= inW) {
            Parallel.forRange(work < 1 << 15 ? 1 : threads, planes, (from, to) ->
                    maxPool2x2WithWinners(kernels, x, xOff, y, yOff, winners, from, to, inH, inW, outH, outW));
            return;
        }
        Parallel.forRange(work < 1 << 15 ? 1 : threads, planes, (from, to) -> {
            for (int p = from; p < to; p++) {
                int plane = p * inH * inW;
                int oPlane = p * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = oh * sH - padTop;
                    int hFrom = Math.max(0, h0);
                    int hTo = Math.min(inH, h0 + kH);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = ow * sW - padLeft;
                        int wFrom = Math.max(0, w0);
                        int wTo = Math.min(inW, w0 + kW);
                        float max = Float.NEGATIVE_INFINITY;
                        int best = -1;
                        if (hFrom < hTo && wFrom < wTo) {
                            best = plane + hFrom * inW + wFrom;
                            max = x[xOff + best];
                        }
                        for (int ih = hFrom; ih < hTo; ih++) {
                            int row = plane + ih * inW;
                            for (int iw = wFrom; iw < wTo; iw++) {
                                // selects, not a branch: which element wins is data, and a mispredicted
                                // branch per element cost more than the whole comparison
                                float v = x[xOff + row + iw];
                                boolean take = v > max | v != v;
                                max = take ? v : max;
                                best = take ? row + iw : best;
                            }
                        }
                        int o = oPlane + oh * outW + ow;
                        y[yOff + o] = max;
                        winners[o] = best;
                    }
                }
            }
        });
    }

    /**
     * {@link #maxPool2dWithWinners} for the commonest window, 2x2 with stride 2 and every window
     * inside the input (LeNet's and VGG's pooling), without a branch or a float select: which of
     * four values wins is random data, and C2 compiles a float select as a branch, so on a
     * training batch about every other one was mispredicted (the general loop took 5 ms for
     * LeNet-5's first pooling at batch 64; this one about half that). The four candidates are
     * compared as integer keys ({@link #orderKey}) and the winner chosen with masks; the same
     * rule as the general loop (first maximum wins, -0 ties +0, the last NaN wins over numbers),
     * and the output is the winning element itself. Each row goes to the kernels'
     * {@link SimdKernels#maxPool2x2Row} (the vector one: 0.4 instead of 1.4-1.6 ms for that pool).
     */
    private static void maxPool2x2WithWinners(SimdKernels kernels, float[] x, int xOff, float[] y, int yOff,
                                              int[] winners, int planeFrom, int planeTo, int inH, int inW, int outH,
                                              int outW) {
        for (int p = planeFrom; p < planeTo; p++) {
            int plane = p * inH * inW;
            int o = p * outH * outW;
            for (int oh = 0; oh < outH; oh++, o += outW) {
                kernels.maxPool2x2Row(x, xOff, plane + 2 * oh * inW, inW, y, yOff, winners, o, outW);
            }
        }
    }

    /**
     * {@link SimdKernels#maxPool2x2Row} without branches or float selects: the scalar kernels' and,
     * for rows narrower than a vector, the vector kernels'.
     */
    public static void maxPool2x2Row(float[] x, int xOff, int top, int inW, float[] y, int yOff, int[] winners, int o,
                              int outW) {
        for (int ow = 0; ow < outW; ow++, o++) {
            int i0 = top + 2 * ow;
            int i2 = i0 + inW;
            int max = orderKey(x[xOff + i0], 0);
            int best = i0;
            int k = orderKey(x[xOff + i0 + 1], 1);
            int take = (int) (((long) max - k) >> 63);          // -1 when k > max
            max ^= (max ^ k) & take;
            best ^= (best ^ (i0 + 1)) & take;
            k = orderKey(x[xOff + i2], 2);
            take = (int) (((long) max - k) >> 63);
            max ^= (max ^ k) & take;
            best ^= (best ^ i2) & take;
            k = orderKey(x[xOff + i2 + 1], 3);
            take = (int) (((long) max - k) >> 63);
            best ^= (best ^ (i2 + 1)) & take;
            y[yOff + o] = x[xOff + best];
            winners[o] = best;
        }
    }

    /**
     * An int that orders floats as {@code >} does, computed without a branch: numbers by value
     * (-0 and +0 equal), every NaN above every number and, among NaNs, the later candidate
     * ({@code position} 0..3 in the window) above the earlier one.
     */
    private static int orderKey(float v, int position) {
        int bits = Float.floatToRawIntBits(v);
        int magnitude = bits & 0x7fffffff;
        int key = bits ^ ((bits >> 31) & 0x7fffffff);             // negative floats: order reversed
        key &= ~(int) (((long) magnitude - 1) >> 63);              // -0 -> 0
        int nan = (0x7f800000 - magnitude) >> 31;                  // -1 when NaN
        return (key & ~nan) | ((0x7ffffffc + position) & nan);
    }

    /** The max-pool backward pass: {@code dx[winners[o]] += dy[o]} for every output {@code o} with a winner. */
    public static void maxPoolScatter(int[] winners, int outputs, float[] dy, int dyOff, float[] dx, int dxOff) {
        for (int o = 0; o < outputs; o++) {
            int w = winners[o];
            if (w >= 0) {
                dx[dxOff + w] += dy[dyOff + o];
            }
        }
    }
}
