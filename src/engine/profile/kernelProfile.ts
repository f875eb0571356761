/**
 * Per-kernel wall-time profile of whatever runs on a tfjs backend (issue #17): every kernel registered for the backend is
 * swapped for a wrapper that times its kernelFunc with performance.now(), for the duration of one call, then the shipped
 * kernels are put back. Right for backends whose kernels run synchronously (wasm, cpu): a kernel's wall time is its cost.
 * On webgl/webgpu the times would only cover recording the commands, not the GPU work.
 *
 * Kernels that run other kernels (this repo's wasm conv gradients compose pad, transpose, conv…) are nested: each call's
 * `selfMs` excludes the kernels it ran, so self times add up to the time spent in kernels; `inclusiveMs` keeps the whole call.
 *
 * Phases come from tfjs-core's own scopes: `Engine.gradients` (behind tf.variableGrads, tf.grads, optimizer.minimize) runs the
 * loss function in a scope named 'forward' and backpropagation in one named 'backward'. A kernel outside both ran before the
 * first taped kernel ('beforeTape': e.g. a frozen teacher's forward, the Detect lab's probe pass) or after it ('afterTape':
 * the optimiser update, gradient clipping).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

export const PHASES = ['beforeTape', 'forward', 'backward', 'afterTape'] as const;
export type Phase = (typeof PHASES)[number];

export interface KernelStat {
  name: string;
  /** Every call, nested or not. */
  calls: number;
  /** Calls made from inside another kernel. */
  nestedCalls: number;
  /** Wall time minus the kernels it ran, ms. */
  selfMs: number;
  /** Wall time of the calls made from outside any kernel, ms (a nested call's time is in its caller's). */
  inclusiveMs: number;
  /** Self time and calls per phase. */
  byPhase: Partial<Record<Phase, { calls: number; selfMs: number }>>;
  /** Nested calls by the kernel that ran them (its innermost caller): calls and self time. */
  byCaller: Record<string, { calls: number; selfMs: number }>;
}

export interface PhaseStat {
  phase: Phase;
  /** Kernel calls made in the phase (nested included). */
  calls: number;
  /** Σ self time of its kernels, ms. */
  kernelMs: number;
  /** From the start of its first kernel call to the end of its last, ms (kernels plus the JS and engine work between them). */
  spanMs: number;
}

export interface KernelProfile {
  backend: string;
  /** Wall time of the profiled function (awaited), ms. */
  wallMs: number;
  /** Σ self time of every kernel (= time inside kernels), ms. */
  kernelMs: number;
  /** Kernels by self time, largest first. */
  kernels: KernelStat[];
  /** The phases that ran, in PHASES order. */
  phases: PhaseStat[];
}

interface Frame {
  name: string;
  start: number;
  childMs: number;
}

interface ScopeState {
  name: string;
}

/** The phase of a kernel call started now: the innermost 'forward' / 'backward' engine scope, else before / after the tape. */
function scopePhase(sawTape: boolean): Phase {
  const stack = (tf.engine() as unknown as { state: { scopeStack: ScopeState[] } }).state.scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const n = stack[i]!.name;
    if (n === 'forward' || n === 'backward') return n;
  }
  return sawTape ? 'afterTape' : 'beforeTape';
}

/**
 * Run `fn` with every kernel of `backendName` (default: the active backend) timed, and return its result and the profile.
 * The shipped kernel configs are registered again when `fn` settles (resolves or throws).
 */
export async function profileKernels<T>(fn: () => T | Promise<T>, backendName: string = tf.getBackend()): Promise<{ result: T; profile: KernelProfile }> {
  const stats = new Map<string, KernelStat>();
  const spans = new Map<Phase, { calls: number; kernelMs: number; first: number; last: number }>();
  const stack: Frame[] = [];
  let sawTape = false;
  let topPhase: Phase = 'beforeTape';

  const stat = (name: string): KernelStat => {
    let s = stats.get(name);
    if (!s) {
      s = { name, calls: 0, nestedCalls: 0, selfMs: 0, inclusiveMs: 0, byPhase: {}, byCaller: {} };
      stats.set(name, s);
    }
    return s;
  };

  const wrap = (config: KernelConfig): KernelConfig => {
    const inner = config.kernelFunc;
    const kernelFunc: KernelFunc = (args) => {
      const nested = stack.length > 0;
      if (!nested) {
        topPhase = scopePhase(sawTape);
        if (topPhase === 'forward' || topPhase === 'backward') sawTape = true;
      }
      const phase = topPhase; // a nested call belongs to its caller's phase
      const frame: Frame = { name: config.kernelName, start: performance.now(), childMs: 0 };
      stack.push(frame);
      try {
        return inner(args);
      } finally {
        const end = performance.now();
        stack.pop();
        const elapsed = end - frame.start;
        const self = elapsed - frame.childMs;
        const parent = stack[stack.length - 1];
        if (parent) parent.childMs += elapsed;
        const s = stat(config.kernelName);
        s.calls++;
        s.selfMs += self;
        if (parent) {
          s.nestedCalls++;
          const c = (s.byCaller[parent.name] ??= { calls: 0, selfMs: 0 });
          c.calls++;
          c.selfMs += self;
        } else s.inclusiveMs += elapsed;
        const p = (s.byPhase[phase] ??= { calls: 0, selfMs: 0 });
        p.calls++;
        p.selfMs += self;
        let span = spans.get(phase);
        if (!span) {
          span = { calls: 0, kernelMs: 0, first: frame.start, last: end };
          spans.set(phase, span);
        }
        span.calls++;
        span.kernelMs += self;
        span.last = Math.max(span.last, end);
      }
    };
    return { ...config, kernelFunc };
  };

  const shipped = tf.getKernelsForBackend(backendName);
  for (const k of shipped) {
    tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(wrap(k));
  }
  let result: T;
  const t0 = performance.now();
  try {
    result = await fn();
  } finally {
    for (const k of shipped) {
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel(k);
    }
  }
  const wallMs = performance.now() - t0;
  const kernels = [...stats.values()].sort((a, b) => b.selfMs - a.selfMs);
  const phases = PHASES.filter((p) => spans.has(p)).map((phase): PhaseStat => {
    const s = spans.get(phase)!;
    return { phase, calls: s.calls, kernelMs: s.kernelMs, spanMs: s.last - s.first };
  });
  return { result, profile: { backend: backendName, wallMs, kernelMs: kernels.reduce((a, k) => a + k.selfMs, 0), kernels, phases } };
}
