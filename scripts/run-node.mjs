#!/usr/bin/env node
// Run a TypeScript entry of this repo in Node through Vite's module runner, so the engine loads
// exactly as in the browser build and the unit tests: tfjs as one ESM copy, TypeScript compiled.
// Usage: node scripts/run-node.mjs scripts/node/<entry>.ts [args…]  (the entry exports `main(args)`)
import { createServer } from 'vite';
import { createRequire } from 'node:module';
import path from 'node:path';

// tfjs-core's Node platform calls a CommonJS `require('util')`; Vite's SSR loader runs it as ESM.
globalThis.require ??= createRequire(import.meta.url);

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-node.mjs <entry.ts> [args…]');
  process.exit(2);
}
const esm = (pkg) => ({ find: new RegExp(`^${pkg.replace(/[/]/g, '\\/')}$`), replacement: `${pkg}/dist/index.js` });
const server = await createServer({
  configFile: false,
  logLevel: 'warn',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false },
  optimizeDeps: { noDiscovery: true, include: [] },
  // tfjs-core and the cpu backend load as ESM (their CJS bundle lacks the gradients); the wasm
  // backend loads as its own Node bundle and registers into tfjs's global kernel registry.
  ssr: { noExternal: [/@tensorflow\/tfjs-(core|backend-cpu)/] },
  resolve: { alias: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'].map(esm) },
});
let module;
try {
  module = await server.ssrLoadModule(path.resolve(entry));
} catch (err) {
  await server.close();
  throw err;
}
if (typeof module.main !== 'function') {
  console.error(`${entry} exports no main(args) function`);
  process.exit(2);
}
try {
  await module.main(args);
} finally {
  await server.close();
}
