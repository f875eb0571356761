/**
 * A small ONNX graph builder over the generated protobuf classes of onnx.proto (`onnx-proto`): named
 * float32 initializers, nodes with typed attributes, one graph input and output, and the
 * encoded ModelProto. No tensor maths here; the tfjs-convention layers live in `onnxLayers.ts`.
 */
import * as onnxModule from 'onnx-proto';

/**
 * The `onnx` namespace of onnx-proto. Its dist is CommonJS (`module.exports = $root`): a bundler exposes
 * `onnx` as a named export, Node's ESM loader only as `default.onnx`; this reads whichever is there.
 */
const onnx: typeof onnxModule.onnx = onnxModule.onnx ?? (onnxModule as unknown as { default: typeof onnxModule }).default.onnx;

/** The opset every exported model imports (default domain): Resize-13, DepthToSpace-13 (with `mode`), Gemm-13, Flatten-13. */
export const ONNX_OPSET = 13;
/** IR version 8 (ONNX 1.10, what onnx-proto encodes); read by every ONNX Runtime since 1.10. */
export const ONNX_IR_VERSION = 8;

/** A typed node attribute: one int, one float, one string, or a list of ints / floats. */
export type OnnxAttr = { i: number } | { f: number } | { s: string } | { ints: readonly number[] } | { floats: readonly number[] };

/** One graph dimension: a fixed size or a named symbolic one (e.g. the batch `N`). */
export type OnnxDim = number | string;

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function attribute(name: string, a: OnnxAttr): onnxModule.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  if ('ints' in a) return { name, type: T.INTS, ints: [...a.ints] };
  return { name, type: T.FLOATS, floats: [...a.floats] };
}

function valueInfo(name: string, dims: readonly OnnxDim[]): onnxModule.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

/** Little-endian bytes of float32 values (ONNX `raw_data` is little-endian whatever the host). */
function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

/** What `OnnxGraph.encode` writes besides the graph. */
export interface OnnxModelInfo {
  graphName: string;
  producerName: string;
  producerVersion: string;
  docString: string;
  /** Written as the model's `metadata_props`, in this order. */
  metadata: Record<string, string>;
}

/** Accumulates initializers and nodes (in topological order, as they are added) and encodes the model. */
export class OnnxGraph {
  private readonly nodes: onnxModule.onnx.INodeProto[] = [];
  private readonly initializers: onnxModule.onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly inputs: onnxModule.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxModule.onnx.IValueInfoProto[] = [];
  private counter = 0;

  /** A value name not used yet, `${prefix}` or `${prefix}_N`. */
  fresh(prefix: string): string {
    let name = prefix;
    while (this.used.has(name)) name = `${prefix}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Declare a float32 graph input of the given dims; returns its name. */
  addInput(name: string, dims: readonly OnnxDim[]): string {
    const n = this.fresh(name);
    this.inputs.push(valueInfo(n, dims));
    return n;
  }

  /** Declare an existing value as a float32 graph output of the given dims. */
  addOutput(name: string, dims: readonly OnnxDim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float32 initializer (embedded weights) of `dims`, named after `name` (made unique); returns the name. */
  addFloat(name: string, dims: readonly number[], values: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== values.length) throw new Error(`Initializer ${name}: ${values.length} values for dims [${dims.join(', ')}].`);
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [...dims], dataType: FLOAT, rawData: littleEndian(values) });
    return n;
  }

  /** Append a node `op(inputs) → one output` (an empty input name = an omitted optional input); returns the output name. */
  add(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, outName = op.toLowerCase()): string {
    const out = this.fresh(outName);
    this.nodes.push({
      opType: op,
      name: `${op}_${this.nodes.length}`,
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attrs).map(([k, a]) => attribute(k, a)),
    });
    return out;
  }

  /** Encode the ModelProto (IR 8, default-domain opset ONNX_OPSET). */
  encode(info: OnnxModelInfo): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: info.producerName,
      producerVersion: info.producerVersion,
      docString: info.docString,
      metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
      graph: { name: info.graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Decode an encoded model (e.g. to read back its opset and metadata). */
export function decodeOnnxModel(bytes: Uint8Array): onnxModule.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
