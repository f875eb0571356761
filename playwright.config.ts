import { defineConfig } from '@playwright/test';

/** Chromium flags for WebGPU on machines without a GPU (SwiftShader) and with a closed network. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Port and build folder of the preview server: 4173 and dist/ unless PW_PORT / PW_DIST say otherwise (parallel checkouts). */
const PORT = Number(process.env.PW_PORT ?? 4173);
const DIST = process.env.PW_DIST ? ` --outDir ${process.env.PW_DIST}` : '';

export default defineConfig({
  testDir: 'e2e',
  // A side-by-side build (PW_DIST) keeps its own results folder: runs in parallel must not wipe each other's traces.
  ...(process.env.PW_DIST ? { outputDir: `${process.env.PW_DIST}-results` } : {}),
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort${DIST}`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
