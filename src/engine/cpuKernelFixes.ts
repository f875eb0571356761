/**
 * Fixes for tfjs-backend-cpu 4.22 kernels, registered over the shipped ones.
 * ResizeBilinearGrad: the shipped kernel computes the right values in NHWC order but labels its output
 * [batch, width, height, depth], so the gradient of every non-square bilinear resize throws.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

let done = false;

/** Register the fixed CPU kernels once (after the cpu backend's own registration); a no-op without the cpu backend. */
export function registerCpuKernelFixes(): void {
  if (done) return;
  const shipped = tf.getKernel('ResizeBilinearGrad', 'cpu');
  if (!shipped) return;
  done = true;
  const kernelFunc: KernelFunc = (args) => {
    const out = shipped.kernelFunc(args) as TensorInfo;
    const images = (args.inputs as { images: TensorInfo }).images;
    (out as { shape: number[] }).shape = [...images.shape];
    return out;
  };
  const fixed: KernelConfig = { kernelName: 'ResizeBilinearGrad', backendName: 'cpu', kernelFunc };
  tf.unregisterKernel('ResizeBilinearGrad', 'cpu');
  tf.registerKernel(fixed);
}
