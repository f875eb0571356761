/**
 * Backend selection: webgpu → webgl → cpu (or a forced one), with a report of the adapter so the
 * UI can say whether the user got a real GPU or a software fallback.
 */
import './tfSetup';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo, BackendName, BackendPreference } from '../protocol/backend';

const SOFTWARE_PATTERN = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;
const ORDER: BackendName[] = ['webgpu', 'webgl', 'cpu'];

interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isSoftware: boolean;
}

/** Import the backend's module so it registers itself with tfjs-core. */
async function registerBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  else await import('@tensorflow/tfjs-backend-cpu');
}

/** Ask WebGPU for the adapter tfjs will use and describe it; throws when there is none. */
async function probeWebGpu(): Promise<AdapterReport> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new Error('this browser exposes no navigator.gpu (WebGPU disabled or unsupported)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const text = `${info.vendor} ${info.architecture} ${info.description} ${info.device}`;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description || info.device || '',
    isSoftware: info.isFallbackAdapter === true || legacyFallback === true || SOFTWARE_PATTERN.test(text),
  };
}

/** Read the WebGL renderer string (unmasked when the browser allows it). */
function probeWebGl(): AdapterReport {
  const canvas =
    typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : (globalThis.document?.createElement('canvas') ?? null);
  const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
  if (!gl) throw new Error('no WebGL2 context could be created');
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const vendor = String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR) ?? '');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { vendor, architecture: '', description: renderer, isSoftware: SOFTWARE_PATTERN.test(`${vendor} ${renderer}`) };
}

async function probe(name: BackendName): Promise<AdapterReport> {
  if (name === 'webgpu') return probeWebGpu();
  if (name === 'webgl') return probeWebGl();
  return { vendor: '', architecture: '', description: 'tfjs cpu backend (plain JavaScript)', isSoftware: true };
}

/** Initialise tfjs on the preferred backend (or the first that works) and report what was chosen. */
export async function initBackend(preference: BackendPreference): Promise<BackendInfo> {
  const candidates = preference === 'auto' ? ORDER : [preference];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of candidates) {
    try {
      const report = await probe(name);
      await registerBackend(name);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tfjs could not initialise the ${name} backend`);
      await tf.ready();
      return { name, ...report, skipped };
    } catch (err) {
      skipped.push({ name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const reasons = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new Error(`No compute backend could be initialised (${reasons}).`);
}

/** Call `cb` if the WebGPU device behind the current backend is lost (no-op on other backends). */
export function onDeviceLost(cb: (reason: string) => void): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    if (info.reason !== 'destroyed') cb(info.message || String(info.reason));
  });
}
