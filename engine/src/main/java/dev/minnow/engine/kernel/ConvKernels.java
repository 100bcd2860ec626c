package dev.minnow.engine.kernel;

/**
 * Convolution kernels over NCHW float arrays.
 *
 * <p>{@link #convolutionNaive} is the <em>reference</em>: the definition of a grouped, strided,
 * padded, dilated convolution written as plain nested loops, with no tiling, no im2col and no
 * vectorisation. It is slow on purpose; faster kernels are tested against it.
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
}
