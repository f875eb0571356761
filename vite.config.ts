import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer). Deployments need the same headers. */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its pthreads from its factory's source text (Function#toString):
    // renaming identifiers or rewriting `typeof x` checks breaks them, so the worker only loses whitespace.
    rolldownOptions: { output: { minify: { mangle: false, compress: false, codegen: { removeWhitespace: true } } } },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    // bench.html is the benchmark page driven by scripts/bench.mjs (npm run bench).
    rolldownOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/engine/setupTests.ts'],
    testTimeout: 60_000,
    // Load tfjs as ESM through Vite, one copy, like the browser build (its CJS bundle lacks the gradients).
    server: { deps: { inline: [/@tensorflow\//] } },
    alias: [
      { find: /^@tensorflow\/tfjs-core$/, replacement: '@tensorflow/tfjs-core/dist/index.js' },
      { find: /^@tensorflow\/tfjs-backend-cpu$/, replacement: '@tensorflow/tfjs-backend-cpu/dist/index.js' },
      { find: /^@tensorflow\/tfjs-backend-wasm$/, replacement: '@tensorflow/tfjs-backend-wasm/dist/index.js' },
    ],
  },
});
