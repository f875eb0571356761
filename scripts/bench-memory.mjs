// `npm run bench:memory`: import the full CIFAR-10 training set (50,000 images + 10,000 test, in the exact
// cifar-10-binary.tar.gz layout, written here) into the real app in headless Chromium, then train a few
// steps on it, sampling the memory of the page and of the engine worker every ~250 ms through CDP
// Runtime.getHeapUsage (worker: JS heap + embedder heap + ArrayBuffer backing stores, i.e. the images).
// Prints the peaks and writes bench-results/memory.json. A benchmark: it never fails on numbers.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { chromium } from 'playwright-core';

const PORT = Number(process.env.BENCH_PORT ?? 4320);
const BASE = `http://localhost:${PORT}`;
const ARGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PER_BATCH = Number(process.env.MEMORY_PER_BATCH ?? 10_000);
const TRAIN_STEPS = Number(process.env.MEMORY_STEPS ?? 20);
const t0 = performance.now();
const log = (m) => console.log(`[memory ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}`);

/** One ustar header block for a regular file or directory. */
function tarHeader(name, size, type) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Write cifar-10-binary.tar.gz: 5 training batches and a test batch of PER_BATCH records each. */
async function writeArchive(path) {
  const gz = createGzip({ level: 1 });
  const out = createWriteStream(path);
  gz.pipe(out);
  const put = (buf) => new Promise((r) => (gz.write(buf) ? r() : gz.once('drain', r)));
  await put(tarHeader('cifar-10-batches-bin/', 0, '5'));
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'].join('\n') + '\n';
  await put(tarHeader('cifar-10-batches-bin/batches.meta.txt', names.length, '0'));
  await put(Buffer.concat([Buffer.from(names), Buffer.alloc(512 - (names.length % 512))]));
  const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  for (const [f, name] of files.entries()) {
    const size = PER_BATCH * 3073;
    await put(tarHeader(`cifar-10-batches-bin/${name}`, size, '0'));
    const rec = Buffer.alloc(3073);
    for (let i = 0; i < PER_BATCH; i++) {
      rec[0] = (f * 7 + i) % 10;
      for (let p = 1; p < 3073; p++) rec[p] = (i * 31 + p * 7 + f * 13 + ((p * i) >> 5)) & 255;
      await put(rec);
    }
    if (size % 512) await put(Buffer.alloc(512 - (size % 512)));
  }
  await put(Buffer.alloc(1024));
  gz.end();
  await new Promise((r) => out.on('finish', r));
}

async function startPreview() {
  const child = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { detached: true, stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(BASE)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('vite preview did not start');
}

/** Heap samplers for the page and for every worker it starts (CDP sessions attached via auto-attach). */
async function heapSampler(page) {
  const cdp = await page.context().newCDPSession(page);
  const workers = new Map();
  let seq = 0;
  const pending = new Map();
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.title || e.targetInfo.url);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    const done = pending.get(msg.id);
    if (done) {
      pending.delete(msg.id);
      done(msg.result);
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const ask = (sessionId, method) =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(() => resolve(null));
      setTimeout(() => pending.has(id) && (pending.delete(id), resolve(null)), 2000);
    });
  const peak = { page: 0, worker: 0, total: 0 };
  const sample = async () => {
    const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    let workerHeap = 0;
    for (const sessionId of workers.keys()) {
      const r = await ask(sessionId, 'Runtime.getHeapUsage');
      if (r) workerHeap += r.usedSize + (r.embedderHeapUsedSize ?? 0) + (r.backingStorageSize ?? 0);
    }
    peak.page = Math.max(peak.page, pageHeap);
    peak.worker = Math.max(peak.worker, workerHeap);
    peak.total = Math.max(peak.total, pageHeap + workerHeap);
    return { pageHeap, workerHeap };
  };
  return { peak, sample, workers };
}

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

const dir = await mkdtemp(join(os.tmpdir(), 'pdw-mem-'));
const archive = join(dir, 'cifar-10-binary.tar.gz');
log(`writing ${archive} (${PER_BATCH * 5} train + ${PER_BATCH} test images)…`);
await writeArchive(archive);
log(`archive: ${mb((await stat(archive)).size)}`);
const server = await startPreview();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage();
  const heap = await heapSampler(page);
  await page.goto(`${BASE}/?backend=wasm#width=0.0625&batchSize=128&steps=100000&evalEvery=100000`);
  await page.getByTestId('app.backend').filter({ hasText: 'wasm' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('tab.data').click();
  let sampling = true;
  const samples = [];
  const loop = (async () => {
    while (sampling) {
      const s = await heap.sample();
      samples.push({ t: Math.round(performance.now() - t0), ...s });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const tImport = performance.now();
  await page.getByTestId('data.import').setInputFiles(archive);
  await page.getByTestId('data.item').filter({ hasText: 'CIFAR-10' }).waitFor({ timeout: 600_000 });
  const importSeconds = (performance.now() - tImport) / 1000;
  const afterImport = { ...heap.peak };
  log(`imported in ${importSeconds.toFixed(1)} s; peak so far: page ${mb(afterImport.page)}, worker ${mb(afterImport.worker)}, sum ${mb(afterImport.total)}`);
  await page.getByTestId('data.item').filter({ hasText: 'CIFAR-10' }).getByTestId('data.item.use').click();
  await page.getByTestId('run.start').click();
  await page.waitForFunction((n) => /step (\d+)/.exec(document.querySelector('[data-testid="run.step"]')?.textContent ?? '')?.[1] >= n, TRAIN_STEPS, {
    timeout: 600_000,
    polling: 500,
  });
  await page.getByTestId('run.stop').click();
  sampling = false;
  await loop;
  const result = {
    machine: `${os.cpus()[0]?.model} ×${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    browser: browser.version(),
    trainImages: PER_BATCH * 5,
    testImages: PER_BATCH,
    importSeconds,
    trainSteps: TRAIN_STEPS,
    peakDuringImport: afterImport,
    peakOverall: heap.peak,
    workersSeen: [...heap.workers.values()],
    samples: samples.length,
  };
  log(`peak overall: page ${mb(heap.peak.page)}, worker ${mb(heap.peak.worker)}, sum ${mb(heap.peak.total)} (${samples.length} samples)`);
  await mkdir('bench-results', { recursive: true });
  await writeFile('bench-results/memory.json', JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
}
