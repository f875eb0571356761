import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/engine/setupTests.ts'],
    testTimeout: 60_000,
    // Load tfjs as ESM through Vite, one copy, like the browser build (its CJS bundle lacks the gradients).
    server: { deps: { inline: [/@tensorflow\//] } },
    alias: [
      { find: /^@tensorflow\/tfjs-core$/, replacement: '@tensorflow/tfjs-core/dist/index.js' },
      { find: /^@tensorflow\/tfjs-backend-cpu$/, replacement: '@tensorflow/tfjs-backend-cpu/dist/index.js' },
    ],
  },
});
