package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * Convolution kernels over NCHW float arrays.
 *
 * <p>{@link #convolutionNaive} is the <em>reference</em>: the definition of a grouped, strided,
 * padded, dilated convolution written as plain nested loops, with no tiling, no im2col and no
 * vectorisation. It is slow on purpose; faster kernels are tested against it.
 *
 * <p>{@link #im2col} and {@link #col2im} turn a convolution into matrix products (Chellapilla et
 * al. 2006, "High Performance Convolutional Neural Networks for Document Processing"; Caffe's
 * {@code im2col.cpp}). For one image and one group of {@code C} input channels, the <em>column
 * matrix</em> has one row per kernel tap {@code (c, kd, kh, kw)} and one column per output
 * position {@code (od, oh, ow)}:
 * <pre>
 *   col[(c*kD + kd)*kH*kW + kh*kW + kw, (od*oH + oh)*oW + ow]
 *       = x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]     (0 in the padding)
 * </pre>
 * so that, with the group's filters {@code W_g} viewed as a {@code [C_out/group, C*kD*kH*kW]}
 * matrix, the convolution is one GEMM, {@code Y_g = W_g * col} ({@link #convolutionIm2col}), and
 * its gradients are two more:
 * <pre>
 *   dW_g += dY_g * col^T             dX_g += col2im(W_g^T * dY_g)
 * </pre>
 * {@code col2im} is the adjoint (transpose) of {@code im2col}: it adds every column entry back
 * onto the input position it was copied from, so an input that several windows overlap receives
 * the sum of their gradients.
 *
 * <p>Geometry arrays hold three spatial axes {@code (D, H, W)}; 2-D convolutions pass {@code D = 1}
 * (and kernel 1, stride 1, pad 0, dilation 1 on that axis), 1-D ones also {@code H = 1}.
 */
public final class ConvKernels {
    private ConvKernels() {
    }

    /**
     * Direct convolution:
     * <pre>
     *   y[n, oc, od, oh, ow] = b[oc] + sum over ic' &lt; C_in/group, kd, kh, kw of
     *       w[oc, ic', kd, kh, kw] * x[n, g*C_in/group + ic', od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]
     * </pre>
     * where {@code g = oc / (C_out/group)} is the group of output channel {@code oc}, and positions
     * outside the input read as zero (the padding). Layouts: {@code x [batch, inChannels, D, H, W]},
     * {@code w [outChannels, inChannels/group, kD, kH, kW]}, {@code y [batch, outChannels, oD, oH, oW]}.
     *
     * @param b        bias of {@code outChannels} values, or {@code null} for none
     * @param in       input lengths {@code {D, H, W}}
     * @param out      output lengths {@code {oD, oH, oW}}
     * @param kernel   kernel lengths {@code {kD, kH, kW}}
     * @param strides  per axis
     * @param padBegin padding before each axis (padding after only shows in {@code out})
     * @param dilations per axis
     */
    public static void convolutionNaive(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
            float[] y, int yOff, int batch, int inChannels, int outChannels, int group,
            int[] in, int[] out, int[] kernel, int[] strides, int[] padBegin, int[] dilations) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int kD = kernel[0], kH = kernel[1], kW = kernel[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        int kernelSize = kD * kH * kW;
        int inPerGroup = inChannels / group;
        int outPerGroup = outChannels / group;
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int firstInChannel = (oc / outPerGroup) * inPerGroup;
                float bias = b == null ? 0f : b[bOff + oc];
                int yPlane = yOff + (n * outChannels + oc) * outPlane;
                for (int od = 0; od < outD; od++) {
                    for (int oh = 0; oh < outH; oh++) {
                        for (int ow = 0; ow < outW; ow++) {
                            float sum = bias;
                            for (int icg = 0; icg < inPerGroup; icg++) {
                                int xPlane = xOff + (n * inChannels + firstInChannel + icg) * inPlane;
                                int wTaps = wOff + (oc * inPerGroup + icg) * kernelSize;
                                for (int kd = 0; kd < kD; kd++) {
                                    int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                                    if (id < 0 || id >= inD) {
                                        continue;
                                    }
                                    for (int kh = 0; kh < kH; kh++) {
                                        int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                                        if (ih < 0 || ih >= inH) {
                                            continue;
                                        }
                                        for (int kw = 0; kw < kW; kw++) {
                                            int iw = ow * strides[2] - padBegin[2] + kw * dilations[2];
                                            if (iw < 0 || iw >= inW) {
                                                continue;
                                            }
                                            sum += w[wTaps + (kd * kH + kh) * kW + kw]
                                                    * x[xPlane + (id * inH + ih) * inW + iw];
                                        }
                                    }
                                }
                            }
                            y[yPlane + (od * outH + oh) * outW + ow] = sum;
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether the column matrix of this geometry is the input itself: a 1x1x1 kernel with stride
     * 1 and no padding, where {@code col[c, p] = x[c, p]} (a pointwise convolution).
     */
    public static boolean isPointwise(int[] kernel, int[] strides, int[] padBegin, int[] in, int[] out) {
        for (int a = 0; a < 3; a++) {
            if (kernel[a] != 1 || strides[a] != 1 || padBegin[a] != 0 || in[a] != out[a]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Unfolds {@code channels} consecutive input planes of one image, {@code x [channels, D, H, W]}
     * at {@code xOff}, into the column matrix {@code col [channels*kD*kH*kW, oD*oH*oW]} at
     * {@code colOff} (row-major, see the class comment); taps that fall in the padding get 0.
     * Every element of the column matrix is written.
     */
    public static void im2col(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
            int[] padBegin, int[] dilations, float[] col, int colOff) {
        im2col(x, xOff, channels, in, out, kernel, strides, padBegin, dilations, col, colOff,
                out[0] * out[1] * out[2]);
    }

    /**
     * As {@link #im2col(float[], int, int, int[], int[], int[], int[], int[], int[], float[], int)}
     * with rows {@code ldCol} floats apart, so that several images can be unfolded side by side
     * into one wider column matrix.
     */
    public static void im2col(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
            int[] padBegin, int[] dilations, float[] col, int colOff, int ldCol) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int row = colOff;
        for (int c = 0; c < channels; c++) {
            int xPlane = xOff + c * inPlane;
            for (int kd = 0; kd < kernel[0]; kd++) {
                for (int kh = 0; kh < kernel[1]; kh++) {
                    for (int kw = 0; kw < kernel[2]; kw++) {
                        int shiftW = kw * dilations[2] - padBegin[2];
                        // output columns whose tap lands inside the input: 0 <= ow*sW + shiftW < inW
                        int owFrom = firstInside(shiftW, strides[2], outW);
                        int owTo = endInside(shiftW, strides[2], inW, outW);
                        int at = row;
                        for (int od = 0; od < outD; od++) {
                            int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                            for (int oh = 0; oh < outH; oh++, at += outW) {
                                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                                if (id < 0 || id >= inD || ih < 0 || ih >= inH || owFrom >= owTo) {
                                    Arrays.fill(col, at, at + outW, 0f);
                                    continue;
                                }
                                int src = xPlane + (id * inH + ih) * inW + shiftW;
                                if (owFrom > 0) {                 // (a call per row costs when nothing is padded)
                                    Arrays.fill(col, at, at + owFrom, 0f);
                                }
                                if (strides[2] == 1) {
                                    copyRow(x, src + owFrom, col, at + owFrom, owTo - owFrom);
                                } else {
                                    for (int ow = owFrom; ow < owTo; ow++) {
                                        col[at + ow] = x[src + ow * strides[2]];
                                    }
                                }
                                if (owTo < outW) {
                                    Arrays.fill(col, at + owTo, at + outW, 0f);
                                }
                            }
                        }
                        row += ldCol;
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: <em>adds</em> every entry of the column matrix
     * {@code col [channels*kD*kH*kW, oD*oH*oW]} onto the input position it reads,
     * {@code x[c, od*sD - pD + kd*dD, ...] += col[(c, kd, kh, kw), (od, oh, ow)]}; entries of taps in
     * the padding are dropped. {@code x [channels, D, H, W]} is not cleared first.
     */
    public static void col2im(float[] col, int colOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
            int[] padBegin, int[] dilations, float[] x, int xOff) {
        col2im(col, colOff, channels, in, out, kernel, strides, padBegin, dilations, x, xOff,
                out[0] * out[1] * out[2]);
    }

    /** As {@link #col2im(float[], int, int, int[], int[], int[], int[], int[], int[], float[], int)} with rows {@code ldCol} floats apart. */
    public static void col2im(float[] col, int colOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
            int[] padBegin, int[] dilations, float[] x, int xOff, int ldCol) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int inPlane = inD * inH * inW;
        int row = colOff;
        for (int c = 0; c < channels; c++) {
            int xPlane = xOff + c * inPlane;
            for (int kd = 0; kd < kernel[0]; kd++) {
                for (int kh = 0; kh < kernel[1]; kh++) {
                    for (int kw = 0; kw < kernel[2]; kw++) {
                        int shiftW = kw * dilations[2] - padBegin[2];
                        int owFrom = firstInside(shiftW, strides[2], outW);
                        int owTo = endInside(shiftW, strides[2], inW, outW);
                        int at = row;
                        for (int od = 0; od < outD; od++) {
                            int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                            for (int oh = 0; oh < outH; oh++, at += outW) {
                                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                                if (id < 0 || id >= inD || ih < 0 || ih >= inH) {
                                    continue;
                                }
                                int dst = xPlane + (id * inH + ih) * inW + shiftW;
                                if (strides[2] == 1) {
                                    addRow(col, at, x, dst, owFrom, owTo);
                                } else {
                                    for (int ow = owFrom; ow < owTo; ow++) {
                                        x[dst + ow * strides[2]] += col[at + ow];
                                    }
                                }
                            }
                        }
                        row += ldCol;
                    }
                }
            }
        }
    }

    /**
     * {@code x[dst + i] += col[at + i]} for {@code i} in {@code [from, to)}: a loop C2 vectorises.
     * Rows of exactly 8 (8 x 8 output planes, as in LeNet-5's second layer) are written out: for
     * so short a row the vectorised loop's set-up costs more than the work (a per-image fold of
     * that layer took 0.53x the time unrolled).
     */
    private static void addRow(float[] col, int at, float[] x, int dst, int from, int to) {
        if (to - from == 8) {
            int c = at + from;
            int d = dst + from;
            x[d] += col[c];
            x[d + 1] += col[c + 1];
            x[d + 2] += col[c + 2];
            x[d + 3] += col[c + 3];
            x[d + 4] += col[c + 4];
            x[d + 5] += col[c + 5];
            x[d + 6] += col[c + 6];
            x[d + 7] += col[c + 7];
            return;
        }
        for (int i = from; i < to; i++) {
            x[dst + i] += col[at + i];
        }
    }

    /** {@code System.arraycopy}, with rows of exactly 8 written out as in {@link #addRow}. */
    private static void copyRow(float[] x, int src, float[] col, int at, int length) {
        if (length == 8) {
            col[at] = x[src];
            col[at + 1] = x[src + 1];
            col[at + 2] = x[src + 2];
            col[at + 3] = x[src + 3];
            col[at + 4] = x[src + 4];
            col[at + 5] = x[src + 5];
            col[at + 6] = x[src + 6];
            col[at + 7] = x[src + 7];
            return;
        }
        System.arraycopy(x, src, col, at, length);
    }

    /** The first output index {@code o} in {@code [0, outLen]} with {@code o*stride + shift >= 0}. */
    private static int firstInside(int shift, int stride, int outLen) {
        if (shift >= 0) {
            return 0;
        }
        return Math.min(outLen, (-shift + stride - 1) / stride);
    }

    /** One past the last output index {@code o < outLen} with {@code o*stride + shift < inLen}. */
    private static int endInside(int shift, int stride, int inLen, int outLen) {
        if (shift >= inLen) {
            return 0;
        }
        // o*stride + shift <= inLen - 1  <=>  o <= (inLen - 1 - shift) / stride
        return Math.min(outLen, (inLen - 1 - shift) / stride + 1);
    }

}
