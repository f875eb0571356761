/** Test helpers for the ONNX import: a small classifier to export, and decode → edit → re-encode of an exported file. */
import * as onnxModule from 'onnx-proto';
import type { Classifier } from '../models/model';
import { createModel } from '../models/registry';
import { decodeOnnxModel } from './onnxGraph';

const onnx: typeof onnxModule.onnx = onnxModule.onnx ?? (onnxModule as unknown as { default: typeof onnxModule }).default.onnx;

/** A VGG-16 / ResNet-18 at width 1/16, 10 classes, 32×32. */
export const smallClassifier = (name: 'vgg16' | 'resnet18', seed: number): Classifier =>
  createModel(name, { width: 1 / 16, numClasses: 10, inputSize: 32, seed });

/** The decoded model's graph initializers (an exported file always has a graph). */
export const initializersOf = (m: onnxModule.onnx.ModelProto): onnxModule.onnx.ITensorProto[] => (m.graph!.initializer ??= []);

/** Decode an ONNX file, change it, and encode it again. */
export function editOnnx(bytes: Uint8Array, change: (m: onnxModule.onnx.ModelProto) => void): Uint8Array {
  const m = decodeOnnxModel(bytes);
  change(m);
  return onnx.ModelProto.encode(m).finish();
}

/** A float32 initializer to add to a decoded model. */
export const floatInitializer = (name: string, values: number[]): onnxModule.onnx.ITensorProto =>
  onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.FLOAT, floatData: values });
