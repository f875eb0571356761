/** What the worker reports about the compute backend it runs on. */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** GPU adapter vendor / architecture / description as the browser reports them ('' if unknown). */
  vendor: string;
  architecture: string;
  description: string;
  /** True for a software adapter (SwiftShader, llvmpipe, a WebGPU fallback adapter) or the cpu backend. */
  isSoftware: boolean;
  /** wasm only: SIMD in use and the XNNPACK thread count (1 = single-threaded). */
  simd?: boolean;
  threads?: number;
  /** Backends tried before this one and why they were not used. */
  skipped: { name: BackendName; reason: string }[];
}

export function isBackendPreference(v: unknown): v is BackendPreference {
  return typeof v === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(v);
}
