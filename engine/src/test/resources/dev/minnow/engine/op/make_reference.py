#!/usr/bin/python3
"""Writes reference.txt: small inputs and outputs computed with numpy and PyTorch, read by
ReferenceFixtures in the op tests. Run with Debian's /usr/bin/python3 (torch 1.13, numpy):

    /usr/bin/python3 make_reference.py > reference.txt

Format, one tensor per line:  name dtype dim0,dim1,... : v0 v1 ...   (a scalar has no dims).
Floats are printed with 9 significant digits, enough to round-trip a float32 exactly."""
import numpy as np
import torch

rng = np.random.default_rng(20240611)
out = []


def put(name, a):
    a = np.asarray(a)
    dtype = {np.dtype('float32'): 'FLOAT', np.dtype('int64'): 'INT64'}[a.dtype]
    dims = ','.join(str(d) for d in a.shape)
    if dtype == 'FLOAT':
        vals = ' '.join('%.9g' % v for v in a.ravel())
    else:
        vals = ' '.join(str(int(v)) for v in a.ravel())
    out.append('%s %s %s : %s' % (name, dtype, dims, vals))


def f32(*shape, scale=2.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# Softmax / LogSoftmax over every axis (opset 13), and the opset-12 "coerce to 2-D" form.
x = f32(2, 3, 4)
put('softmax.x', x)
for axis in (0, 1, 2):
    t = torch.from_numpy(x)
    put('softmax.axis%d' % axis, torch.softmax(t, axis).numpy())
    put('logsoftmax.axis%d' % axis, torch.log_softmax(t, axis).numpy())
flat = torch.from_numpy(x.reshape(2, 12))
put('softmax.coerced.axis1', torch.softmax(flat, 1).numpy().reshape(2, 3, 4))
put('logsoftmax.coerced.axis1', torch.log_softmax(flat, 1).numpy().reshape(2, 3, 4))

# Sigmoid and Tanh, including saturated tails.
s = np.array([-100, -30, -5, -1, -1e-3, 0, 1e-3, 1, 5, 30, 100], dtype=np.float32)
put('act.x', s)
put('act.sigmoid', torch.sigmoid(torch.from_numpy(s)).numpy())
put('act.tanh', torch.tanh(torch.from_numpy(s)).numpy())

# Pad: PyTorch's ReflectionPad2d / ReplicationPad2d (left, right, top, bottom) and numpy.
p = f32(1, 2, 3, 4)
put('pad.x', p)
# ONNX pads [0,0,top,left, 0,0,bottom,right] = [0,0,2,1, 0,0,1,3]
put('pad.reflect', torch.nn.ReflectionPad2d((1, 3, 2, 1))(torch.from_numpy(p)).numpy())
put('pad.edge', torch.nn.ReplicationPad2d((1, 3, 2, 1))(torch.from_numpy(p)).numpy())
# constant 1.5 with cropping: pads [0,0,-1,2, 0,1,1,-2]: pad the positive amounts, then crop
padded = np.pad(p, ((0, 0), (0, 1), (0, 1), (2, 0)), mode='constant', constant_values=1.5)
put('pad.constant_crop', padded[:, :, 1:, :padded.shape[3] - 2])
# reflect with crop on the other side: pads [0,0,1,-1, 0,0,-1,2]
padded = np.pad(p, ((0, 0), (0, 0), (1, 0), (0, 2)), mode='reflect')
put('pad.reflect_crop', padded[:, :, :padded.shape[2] - 1, 1:])
# reflect and edge wider than the input (numpy continues the mirror)
v = np.arange(1, 6, dtype=np.float32) * 1.5
put('pad.wide.x', v)
put('pad.wide.reflect', np.pad(v, (7, 9), mode='reflect'))
put('pad.wide.edge', np.pad(v, (7, 9), mode='edge'))

# Transpose
t = f32(2, 3, 4, 5)
put('transpose.x', t)
put('transpose.0231', np.transpose(t, (0, 2, 3, 1)))
put('transpose.3102', np.transpose(t, (3, 1, 0, 2)))
put('transpose.reversed', np.transpose(t))

# ChannelShuffle: PyTorch's own module
c = f32(2, 6, 2, 3)
put('shuffle.x', c)
put('shuffle.g3', torch.nn.ChannelShuffle(3)(torch.from_numpy(c)).numpy())
put('shuffle.g2', torch.nn.ChannelShuffle(2)(torch.from_numpy(c)).numpy())

# Broadcasting arithmetic: [2,3,1,4] with [3,5,1]
a = f32(2, 3, 1, 4)
b = f32(3, 5, 1) + np.float32(7)  # away from zero for Div
put('bcast.a', a)
put('bcast.b', b)
put('bcast.add', a + b)
put('bcast.sub', a - b)
put('bcast.mul', a * b)
put('bcast.div', a / b)
# [N,C,H,W] + [C,1,1] bias
x4 = f32(2, 3, 2, 2)
bias = f32(3, 1, 1)
put('bias.x', x4)
put('bias.b', bias)
put('bias.add', x4 + bias)

# Gather along axis 1 with negative indices, 2-D indices
g = f32(3, 4, 2)
idx = np.array([[0, -1], [2, 1], [-4, 3]], dtype=np.int64)
put('gather.data', g)
put('gather.indices', idx)
put('gather.axis1', np.take(g, idx, axis=1))

# Expand
e = f32(3, 1)
put('expand.x', e)
put('expand.216', np.broadcast_to(e, (2, 3, 6)).copy())

print('\n'.join(out))
