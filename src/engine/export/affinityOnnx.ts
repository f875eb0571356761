/**
 * ONNX graph of the Affinity lab's EfficientNet-like nets (TECHNIQUES.md §3, `models/affinity/`): 3×3 stem-BN-swish,
 * MBConv blocks (expand 1×1 → depthwise k×k → squeeze-excite → project 1×1, residual when the shape is kept), 1×1
 * head-BN-swish, global average pool, dense. Swish = x·sigmoid(x). Input NCHW `[N, 3, S, S]`, logits `[N, classes]`.
 */
import { affinityLayout } from '../models/affinity/affinityArch';
import type { AffinityNet } from '../models/affinity/affinityNet';
import { hasResidual, type MBConvSpec } from '../models/affinity/mbconv';
import { batchNorm, binary, conv, convBn, flattenDense, globalAvgPool, swish, unary, type Ctx, type Value } from './onnxLayers';

/** MBConv (`mbconv.ts` mbconv): the SE gate is sigmoid(expand(swish(reduce(mean_HW(h))))) broadcast over H×W. */
function mbconv(ctx: Ctx, x: Value, name: string, spec: MBConvSpec): Value {
  let h = spec.expand > 1 ? convBn(ctx, x, `${name}.expand`, 'swish') : x;
  h = swish(ctx, batchNorm(ctx, conv(ctx, h, `${name}.dw.conv.kernel`, { stride: spec.stride, depthwise: true }), `${name}.dw.bn`));
  const squeezed = globalAvgPool(ctx, h);
  const reduced = swish(ctx, conv(ctx, squeezed, `${name}.se.reduce.kernel`, { bias: `${name}.se.reduce.bias` }));
  const gate = unary(ctx, 'Sigmoid', conv(ctx, reduced, `${name}.se.expand.kernel`, { bias: `${name}.se.expand.bias` }));
  const projected = convBn(ctx, binary(ctx, 'Mul', h, gate), `${name}.project`, 'none');
  return hasResidual(spec) ? binary(ctx, 'Add', x, projected) : projected;
}

/** The logits `[N, classes]` of an AffinityNet (teacher or student) on the NCHW input `x`. */
export function affinityGraph(ctx: Ctx, net: AffinityNet, x: Value): string {
  let h = convBn(ctx, x, 'stem', 'swish');
  for (const b of affinityLayout(net.architecture).blocks) h = mbconv(ctx, h, b.name, b.spec);
  return flattenDense(ctx, globalAvgPool(ctx, convBn(ctx, h, 'head', 'swish')), 'fc.kernel', 'fc.bias');
}
