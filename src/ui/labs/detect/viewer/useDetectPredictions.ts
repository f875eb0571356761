/**
 * Run every zoo detector on the selected image through the worker (with each query's cross-attention), again whenever the
 * image or the zoo's detectors change. A late answer for an older request is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import { getEngine } from '../../../../client';
import type { DetectPredictResult } from '../../../../protocol/labs/detect';
import type { DetectSource } from './useDetectSources';

export interface DetectPredictions {
  busy: boolean;
  error: string | null;
  result: DetectPredictResult | null;
  /** The image the result belongs to (panes draw a result only over its own image). */
  source: DetectSource | null;
}

const IDLE: DetectPredictions = { busy: false, error: null, result: null, source: null };

/** Predictions of the zoo's detectors (keyed by `modelsKey`; '' = none held) on `source`. */
export function useDetectPredictions(source: DetectSource | null, modelsKey: string): DetectPredictions {
  const [state, setState] = useState<DetectPredictions>(IDLE);
  const request = useRef(0);
  useEffect(() => {
    const id = ++request.current;
    if (!source || modelsKey === '') {
      setState(IDLE);
      return;
    }
    setState((s) => ({ ...s, busy: true, error: null }));
    // The call transfers its buffer: send a copy, keep the original for drawing.
    const rgb = source.rgb.slice();
    getEngine()
      .call('detect', 'predict', [{ images: [{ rgb, truth: source.truth }], attention: true }], [rgb.buffer as ArrayBuffer])
      .then(
        (res) => {
          if (id !== request.current) return;
          if (res.ok) setState({ busy: false, error: null, result: res.result, source });
          else setState({ busy: false, error: res.error.message, result: null, source: null });
        },
        (err: unknown) => {
          if (id !== request.current) return;
          setState({ busy: false, error: `Detection failed: ${err instanceof Error ? err.message : String(err)}`, result: null, source: null });
        },
      );
  }, [source, modelsKey]);
  return state;
}
