/** What the headless training scripts share around a run: choosing the backend, and the closing `RESULT {json}` line. */
import { appendFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { initBackend } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';

/** Initialise the tfjs backend a script was given (refusing an unknown name) and print which one runs. */
export async function startBackend(backend: string): Promise<void> {
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not one of auto, webgpu, webgl, wasm, cpu`);
  const info = await initBackend(backend);
  console.log(`backend ${info.name}`);
}

/** Print `RESULT {json}` and, when `results` names a file, append the same JSON line to it. */
export async function emitResult(results: string | undefined, result: unknown): Promise<void> {
  const line = JSON.stringify(result);
  if (results) {
    await mkdir(path.dirname(results), { recursive: true });
    await appendFile(results, line + '\n');
  }
  console.log(`RESULT ${line}`);
}

/** Every file under dir, recursively (paths joined onto dir). */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}
