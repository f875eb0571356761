/**
 * Headless training run in Node (wasm by default): `npm run train:node -- width=0.25 steps=200 backend=wasm`.
 * Takes the same key=value settings as the URL hash, prints progress, test accuracy and throughput.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ClassifyTrainer, initBackend, loadDataset } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { TRAIN_LAB } from '../../src/protocol/labs/train';

export async function main(args: string[]): Promise<void> {
  const raw = Object.fromEntries(args.map((a) => a.split('=') as [string, string]));
  const backendArg = raw.backend ?? 'wasm';
  delete raw.backend;
  if (!isBackendPreference(backendArg)) throw new Error(`backend=${backendArg} is not one of auto, webgpu, webgl, wasm, cpu`);
  const { config, issues } = TRAIN_LAB.normalize(raw);
  for (const i of issues) console.warn(`setting: ${i}`);
  const info = await initBackend(backendArg);
  console.log(`backend ${info.name}${info.name === 'wasm' ? ` (SIMD ${info.simd}, ${info.threads} thread)` : ''}; config ${JSON.stringify(config)}`);
  const data = await loadDataset(config, () => undefined);
  const trainer = new ClassifyTrainer(config, data);
  console.log(`${config.model} width ${config.width}: ${trainer.numParams} parameters`);
  const t0 = performance.now();
  let images = 0;
  for (let step = 1; step <= config.steps; step++) {
    const r = await trainer.step();
    images += r.batchSize;
    if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss} at step ${step}`);
    if (step % config.evalEvery === 0 || step === config.steps) {
      const ev = await trainer.evaluate();
      const s = (performance.now() - t0) / 1000;
      console.log(
        `step ${step}/${config.steps} loss ${r.loss.toFixed(4)} test acc ${(ev.accuracy * 100).toFixed(1)}% ` +
          `(${(images / s).toFixed(1)} img/s incl. evals, ${s.toFixed(1)} s, ${tf.memory().numTensors} tensors)`,
      );
    }
  }
  trainer.dispose();
}
