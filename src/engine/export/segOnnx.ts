/**
 * ONNX graphs of the Segment lab's models (TECHNIQUES.md §2) in inference mode (aux heads left out): the FasterSeg-like
 * student (`models/seg/student.ts`), the tutor (`tutor.ts`) and the HRNet-like teacher (`teacher.ts`), rebuilt from
 * the architecture JSON and the store's tensors under the engine's parameter names. Input NCHW `[N, 3, H, W]`, output
 * logits `[N, classes, H, W]` (the engine's NHWC `[B, H, W, classes]` transposed).
 */
import type { CellSpec, SegModel, StudentArchitecture, TeacherArchitecture, TutorArchitecture } from '../models/seg/segModel';
import type { UpscaleKind } from '../models/upscale';
import { upscalePlan } from '../models/seg/blocks';
import { basicBlock, batchNorm, concat, conv, convBn, pixelShuffle, resizeBilinear, sum, unary, weight, type Ctx, type Value } from './onnxLayers';

/** Upscale ×r (`models/upscale.ts`): bilinear (align corners), or depthwise 3×3 → BN → ReLU → 1×1 → PixelShuffle (DCR). */
function upscale(ctx: Ctx, x: Value, name: string, r: number, kind: UpscaleKind): Value {
  if (kind === 'bilinear') return resizeBilinear(ctx, x, x.h * r, x.w * r);
  const dw = conv(ctx, x, `${name}.dw.kernel`, { depthwise: true });
  const act = unary(ctx, 'Relu', batchNorm(ctx, dw, `${name}.bn`));
  return pixelShuffle(ctx, conv(ctx, act, `${name}.pw.kernel`), r);
}

/** A FasterSeg cell (`seg/blocks.ts` cell): conv (stride 2 when `down`), conv2, or zoomed (resize to ⌈h/2⌉ → conv → resize back). */
function cell(ctx: Ctx, x: Value, name: string, spec: CellSpec): Value {
  if (spec.op === 'zoomed') {
    const small = resizeBilinear(ctx, x, Math.ceil(x.h / 2), Math.ceil(x.w / 2));
    return resizeBilinear(ctx, convBn(ctx, small, `${name}.0`, 'relu'), x.h, x.w);
  }
  const y = convBn(ctx, x, `${name}.0`, 'relu', spec.down ? 2 : 1);
  return spec.op === 'conv2' ? convBn(ctx, y, `${name}.1`, 'relu') : y;
}

/** Aggregation step (`aggStep`): 1×1 reduce → upscale ×2 → concat [up, high] → 3×3 refine. */
function aggStep(ctx: Ctx, name: string, low: Value, high: Value, kind: UpscaleKind): Value {
  const up = upscale(ctx, convBn(ctx, low, `${name}.reduce`, 'relu'), `${name}.up`, 2, kind);
  return convBn(ctx, concat(ctx, [up, high]), `${name}.refine`, 'relu');
}

/** Head (`head`): 3×3 conv-BN-ReLU → 1×1 conv with bias to classes. */
function segHead(ctx: Ctx, x: Value, name: string): Value {
  return conv(ctx, convBn(ctx, x, name, 'relu'), `${name}.cls.kernel`, { bias: `${name}.cls.bias` });
}

/**
 * Head and final ×r (`finalHead`): plain = `segHead` → upscale ×r (bilinear or the v1 module); sub-pixel = 3×3 conv-BN-ReLU →
 * depthwise 3×3 → BN → ReLU → 1×1 conv with bias to classes·s² → DepthToSpace ×s (DCR) → bilinear ×(r/s).
 */
function finalHead(ctx: Ctx, x: Value, name: string, upName: string, r: number, arch: StudentArchitecture | TutorArchitecture): Value {
  const plan = upscalePlan(arch.upscale, r);
  if (plan.subPixel === 0) return upscale(ctx, segHead(ctx, x, name), upName, r, plan.final);
  const sub = `${name}.subpixel`;
  const dw = conv(ctx, convBn(ctx, x, name, 'relu'), `${sub}.dw.kernel`, { depthwise: true });
  const act = unary(ctx, 'Relu', batchNorm(ctx, dw, `${sub}.bn`));
  const shuffled = pixelShuffle(ctx, conv(ctx, act, `${sub}.kernel`, { bias: `${sub}.bias` }), plan.subPixel);
  return resizeBilinear(ctx, shuffled, x.h * r, x.w * r);
}

/** A student branch from the 1/8 feature: its cells, then aggregation from its lowest level back up to 1/8. */
function branch(ctx: Ctx, x8: Value, name: string, specs: readonly CellSpec[], kind: UpscaleKind): Value {
  const feats: Value[] = [x8];
  let level = 0;
  let x = x8;
  specs.forEach((spec, i) => {
    x = cell(ctx, x, `${name}.cell${i}`, spec);
    if (spec.down) level++;
    feats[level] = x;
  });
  let low = feats[level]!;
  for (let l = level - 1; l >= 0; l--) low = aggStep(ctx, `${name}.agg${8 * 2 ** l}`, low, feats[l]!, kind);
  return low;
}

/** Student trunk (`studentTrunk`): the 1/4 stem feature and the fused 1/8 map. */
function studentTrunk(ctx: Ctx, x: Value, arch: StudentArchitecture | TutorArchitecture): { s4: Value; f8: Value } {
  const s2 = convBn(ctx, x, 'stem.0', 'relu', 2);
  const s4 = convBn(ctx, s2, 'stem.1', 'relu', 2);
  const s8 = convBn(ctx, s4, 'stem.2', 'relu', 2);
  const agg = upscalePlan(arch.upscale, 8).agg;
  const a = branch(ctx, s8, 'a', arch.plan.branchA, agg);
  const b = branch(ctx, s8, 'b', arch.plan.branchB, agg);
  return { s4, f8: convBn(ctx, concat(ctx, [a, b]), 'fuse', 'relu') };
}

function studentGraph(ctx: Ctx, x: Value, arch: StudentArchitecture): Value {
  const { f8 } = studentTrunk(ctx, x, arch);
  return finalHead(ctx, f8, 'head', 'up8', 8, arch);
}

/** Tutor: trunk, 1/4 path (two 3×3 cells on the 1/4 stem feature), agg4 with the fused 1/8 map, head, final ×4. */
function tutorGraph(ctx: Ctx, x: Value, arch: TutorArchitecture): Value {
  const t = studentTrunk(ctx, x, arch);
  const p4 = convBn(ctx, convBn(ctx, t.s4, 'tutor.hr.0', 'relu'), 'tutor.hr.1', 'relu');
  const f4 = aggStep(ctx, 'tutor.agg4', t.f8, p4, upscalePlan(arch.upscale, 4).agg);
  return finalHead(ctx, f4, 'tutor.head', 'tutor.up4', 4, arch);
}

/** HRNet fusion (`teacher.ts` fuse): stream i = ReLU(Σ_j path_ij(x_j)); j > i 1×1 conv-BN + bilinear up, j < i strided 3×3 convs. */
function fuse(ctx: Ctx, name: string, xs: Value[]): Value[] {
  return xs.map((xi, i) =>
    unary(
      ctx,
      'Relu',
      sum(
        ctx,
        xs.map((xj, j) => {
          if (j === i) return xi;
          if (j > i) return resizeBilinear(ctx, convBn(ctx, xj, `${name}.${i}.${j}`, 'none'), xi.h, xi.w);
          let y = xj;
          for (let k = 0; k < i - j; k++) y = convBn(ctx, y, `${name}.${i}.${j}.${k}`, k === i - j - 1 ? 'none' : 'relu', 2);
          return y;
        }),
      ),
    ),
  );
}

function teacherGraph(ctx: Ctx, x: Value, arch: TeacherArchitecture): Value {
  const half1 = convBn(ctx, x, 'stem.0', 'relu', 2);
  let xs = [convBn(ctx, half1, 'stem.1', 'relu', 2)];
  for (let s = 0; s < 4; s++) {
    if (s > 0) xs = [...xs, convBn(ctx, xs[s - 1]!, `transition${s + 1}`, 'relu', 2)];
    for (let m = 0; m < arch.modules[s]!; m++) {
      xs = xs.map((xi, i) => {
        let y = xi;
        for (let j = 0; j < arch.blocks; j++) y = basicBlock(ctx, y, `stage${s + 1}.m${m}.s${i}.b${j}`, 1);
        return y;
      });
      if (s > 0) xs = fuse(ctx, `stage${s + 1}.m${m}.fuse`, xs);
    }
  }
  const x4 = xs[0]!;
  const cat = concat(
    ctx,
    xs.map((xi) => resizeBilinear(ctx, xi, x4.h, x4.w)),
  );
  const head = convBn(ctx, cat, 'head', 'relu');
  const logits = resizeBilinear(ctx, conv(ctx, head, 'head.cls.kernel', { bias: 'head.cls.bias' }), x.h, x.w);
  if (!arch.refine) return logits;
  // The refinement at 1/2 (teacher.ts refineLogits): reduce → up ×2 → concat [up, stem.0] → 3×3 → classifier, upsampled;
  // with the full-resolution stage also its logits from those features up ×2 joined with the detail conv of the image.
  const up = resizeBilinear(ctx, convBn(ctx, head, 'refine.reduce', 'relu'), half1.h, half1.w);
  const feat = convBn(ctx, concat(ctx, [up, half1]), 'refine.conv', 'relu');
  let out = sum(ctx, [logits, resizeBilinear(ctx, conv(ctx, feat, 'refine.cls.kernel', { bias: 'refine.cls.bias' }), x.h, x.w)]);
  if (arch.refineFull) {
    const detail = convBn(ctx, x, 'refine.full.detail', 'relu');
    const fused = convBn(ctx, concat(ctx, [resizeBilinear(ctx, feat, x.h, x.w), detail]), 'refine.full.conv', 'relu');
    out = sum(ctx, [out, conv(ctx, fused, 'refine.full.cls.kernel', { bias: 'refine.full.cls.bias' })]);
  }
  return out;
}

/** The NCHW logits `[N, classes, H, W]` of a segmentation model on the NCHW input `x`. */
export function segGraph(ctx: Ctx, model: SegModel, x: Value): Value {
  const arch = model.architecture;
  weight(ctx, 'stem.0.conv.kernel'); // every seg model starts with it: a clear error for a foreign store
  let out: Value;
  if (arch.model === 'seg-teacher') out = teacherGraph(ctx, x, arch);
  else if (arch.model === 'seg-tutor') out = tutorGraph(ctx, x, arch);
  else out = studentGraph(ctx, x, arch);
  if (out.c !== model.numClasses || out.h !== x.h || out.w !== x.w) {
    throw new Error(`Export: the ${model.name} graph ends at ${out.c}×${out.h}×${out.w}, expected ${model.numClasses}×${x.h}×${x.w}.`);
  }
  return out;
}
