/** What the worker reports about the compute backend it runs on. */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'webgl', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
export type BackendName = 'webgpu' | 'webgl' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** GPU adapter vendor / architecture / description as the browser reports them ('' if unknown). */
  vendor: string;
  architecture: string;
  description: string;
  /** True for a software adapter (SwiftShader, llvmpipe, a WebGPU fallback adapter) or the cpu backend. */
  isSoftware: boolean;
  /** Backends tried before this one and why they were not used. */
  skipped: { name: BackendName; reason: string }[];
}

export function isBackendPreference(v: unknown): v is BackendPreference {
  return typeof v === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(v);
}
