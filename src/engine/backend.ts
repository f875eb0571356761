/**
 * Backend selection. Auto order: a hardware WebGPU adapter, a hardware WebGL renderer, then wasm
 * (SIMD, threads when cross-origin isolated) — which trains far faster than a software GPU
 * adapter — then the software GPU adapters, then plain-JS cpu. Reports the adapter so the UI can
 * say whether the user got a real GPU.
 */
import { registerCpuKernelFixes } from './cpuKernelFixes';
import './tfSetup';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo, BackendName, BackendPreference } from '../protocol/backend';
import { registerWasmTrainingKernels } from './wasm/trainingKernels';

const SOFTWARE_PATTERN = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

export interface BackendOptions {
  /** URLs of the three tfjs wasm binaries (browser builds serve them from the app's origin). */
  wasmPaths?: Record<string, string>;
  /**
   * wasm threads when the platform supports them (a cross-origin isolated page): false = none, a number = that many
   * XNNPACK threads, true or absent = {@link defaultWasmThreads} of the machine's logical cores.
   */
  wasmThreads?: boolean | number;
}

/**
 * XNNPACK threads by default (issue #17 item 3): every logical core but one, which is left to the page's main thread
 * (the UI), at least 1 and at most 8 (the pthread pool tfjs-backend-wasm's threaded build starts with). tfjs's own
 * default is half the cores, at most 4. On a 2-core machine both give 1 thread: measured there, a second thread made a
 * VGG-16 w1/4 training step only ~4 % faster and would take the UI's core (README, *Threads*). No machine with more cores was at
 * hand to measure the gain per extra thread.
 */
export function defaultWasmThreads(logicalCores: number | undefined): number {
  const n = Number.isFinite(logicalCores) && logicalCores! > 0 ? Math.floor(logicalCores!) : 2;
  return Math.min(8, Math.max(1, n - 1));
}

interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isSoftware: boolean;
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
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : (globalThis.document?.createElement('canvas') ?? null);
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
  if (name === 'wasm') return { vendor: '', architecture: '', description: 'tfjs wasm backend (XNNPACK on the CPU)', isSoftware: true };
  return { vendor: '', architecture: '', description: 'tfjs cpu backend (plain JavaScript)', isSoftware: true };
}

/** The XNNPACK thread count to ask for: the given number, or the default for this machine. */
function wasmThreadCount(opts: BackendOptions): number {
  return typeof opts.wasmThreads === 'number' ? Math.max(1, Math.round(opts.wasmThreads)) : defaultWasmThreads(globalThis.navigator?.hardwareConcurrency);
}

/** Import the backend's module so it registers itself with tfjs-core (wasm: plus its training kernels and `threads` XNNPACK threads, null = threads off). */
async function register(name: BackendName, opts: BackendOptions, threads: number | null): Promise<Partial<BackendInfo>> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  else if (name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    registerCpuKernelFixes();
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths);
    if (threads === null) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else wasm.setThreadsCount(threads);
    registerWasmTrainingKernels();
    return { simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) };
  }
  return {};
}

/**
 * tfjs-backend-wasm's threaded binary caps XNNPACK's pool at half of `navigator.hardwareConcurrency` (its C++
 * `init_with_threads_count`: min(requested, 8, logical cores / 2), read once when the module starts), so on a 2-core
 * machine no thread count above 1 takes effect. While the module starts, the worker's navigator reports enough cores
 * for the requested count (never fewer than it has), then its own value again; nothing else reads it meanwhile.
 */
async function withCoresFor<T>(threads: number | null, start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as (Navigator & { hardwareConcurrency: number }) | undefined;
  const cores = nav?.hardwareConcurrency;
  if (!nav || threads === null || !(cores! > 0) || threads <= Math.floor(cores! / 2)) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: Math.max(cores!, 2 * threads), configurable: true });
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

async function activate(name: BackendName, opts: BackendOptions): Promise<Partial<BackendInfo>> {
  const threads = name === 'wasm' && opts.wasmThreads !== false ? wasmThreadCount(opts) : null;
  const extra = await register(name, opts, threads);
  const ok = await withCoresFor(threads, () => tf.setBackend(name));
  if (!ok) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    extra.threads = wasm.getThreadsCount();
  }
  return extra;
}

/** Initialise tfjs on the preferred backend (auto: the fastest that works) and report what was chosen. */
export async function initBackend(preference: BackendPreference, opts: BackendOptions = {}): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];
  const fail = (name: BackendName, err: unknown) => skipped.push({ name, reason: err instanceof Error ? err.message : String(err) });
  const tryBackend = async (name: BackendName, report: AdapterReport): Promise<BackendInfo | null> => {
    try {
      return { name, ...report, ...(await activate(name, opts)), skipped };
    } catch (err) {
      fail(name, err);
      return null;
    }
  };

  if (preference !== 'auto') {
    try {
      const picked = await tryBackend(preference, await probe(preference));
      if (picked) return picked;
    } catch (err) {
      fail(preference, err);
    }
    throw new Error(`The ${preference} backend could not be initialised (${skipped.map((s) => s.reason).join('; ')}).`);
  }

  // Auto: probe the GPUs first, then take hardware GPUs, wasm, software GPUs, cpu in that order.
  const gpus: { name: BackendName; report: AdapterReport }[] = [];
  for (const name of ['webgpu', 'webgl'] as const) {
    try {
      gpus.push({ name, report: await probe(name) });
    } catch (err) {
      fail(name, err);
    }
  }
  const order = [
    ...gpus.filter((g) => !g.report.isSoftware),
    { name: 'wasm' as const, report: await probe('wasm') },
    ...gpus.filter((g) => g.report.isSoftware),
    { name: 'cpu' as const, report: await probe('cpu') },
  ];
  for (const [i, { name, report }] of order.entries()) {
    const picked = await tryBackend(name, report);
    if (!picked) continue;
    for (const later of order.slice(i + 1)) {
      if (later.name === 'webgpu' || later.name === 'webgl') {
        const what = later.report.architecture || later.report.description || later.report.vendor;
        skipped.push({ name: later.name, reason: `only a software adapter (${what}); ${name} trains faster` });
      }
    }
    return picked;
  }
  throw new Error(`No compute backend could be initialised (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}).`);
}

/** Call `cb` if the WebGPU device behind the current backend is lost (no-op on other backends). */
export function onDeviceLost(cb: (reason: string) => void): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    if (info.reason !== 'destroyed') cb(info.message || String(info.reason));
  });
}

export interface MemorySnapshot {
  numTensors: number;
  /** Bytes held by live tensors. */
  numBytes: number;
  /** webgpu only: bytes of GPU buffers allocated, pooled ones included (grows when shapes change, e.g. after pruning). */
  gpuBytesAllocated: number | null;
}

/** The current backend's tensor count and memory (tf.memory()). */
export function memorySnapshot(): MemorySnapshot {
  const m = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  return { numTensors: m.numTensors, numBytes: m.numBytes, gpuBytesAllocated: typeof m.numBytesAllocatedInGPU === 'number' ? m.numBytesAllocatedInGPU : null };
}
