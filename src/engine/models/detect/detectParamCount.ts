/** The trainable parameter count of a detector architecture, from its numbers alone (nothing allocated): checks a file before building it. */
import type { DetectArchitecture } from './detectArch';
import { mobileNetV3SmallSpecs, squeezeChannels } from './mobilenetV3';

/**
 * Trainable scalars per part. Backbone: stem 27·c + 2c; per bneck expansion in·e + 2e (when e ≠ in), depthwise k²·e + 2e, SE
 * 2·e·r + r + e, projection e·out + 2·out; last 1×1 c·6c + 12c. Projection C·d + d. Encoder per layer: transformer
 * 4(d² + d) + 2·d·ffn + ffn + d + 4d, conv 2(9d² + 2d), dwconv 2(9d + d² + 2d). Decoder N·d + per layer 8(d² + d) + 2·d·ffn + ffn +
 * d + 6d, + 2d (final LN). Heads (2d + 2) + 2(d² + d) + (4d + 4).
 */
export function detectParamCount(a: DetectArchitecture): {
  backbone: number;
  projection: number;
  encoder: number;
  decoder: number;
  heads: number;
  total: number;
} {
  const specs = mobileNetV3SmallSpecs(a.widthMultiplier);
  const c0 = specs[0]!.cin;
  let backbone = 27 * c0 + 2 * c0;
  for (const s of specs) {
    const e = s.expand;
    if (e !== s.cin) backbone += s.cin * e + 2 * e;
    backbone += s.kernel * s.kernel * e + 2 * e;
    if (s.se) backbone += 2 * e * squeezeChannels(e) + squeezeChannels(e) + e;
    backbone += e * s.cout + 2 * s.cout;
  }
  const cl = specs[specs.length - 1]!.cout;
  backbone += cl * 6 * cl + 12 * cl;
  const d = a.d;
  const projection = 6 * cl * d + d;
  const E = a.encoder;
  const perEncoder = {
    none: 0,
    transformer: 4 * (d * d + d) + 2 * d * E.ffn + E.ffn + d + 4 * d,
    conv: 2 * (9 * d * d + 2 * d),
    dwconv: 2 * (9 * d + d * d + 2 * d),
  }[E.kind];
  const encoder = E.kind === 'none' ? 0 : E.layers * perEncoder;
  const D = a.decoder;
  const decoder = D.queries * d + D.layers * (8 * (d * d + d) + 2 * d * D.ffn + D.ffn + d + 6 * d) + 2 * d;
  const heads = 2 * d + 2 + 2 * (d * d + d) + 4 * d + 4;
  return { backbone, projection, encoder, decoder, heads, total: backbone + projection + encoder + decoder + heads };
}
