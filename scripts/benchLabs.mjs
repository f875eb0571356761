// Per-lab responsiveness for `npm run bench`: each lab opened on wasm with its default live views, a run
// training for 30 s, every main-thread task over 50 ms from a Chrome trace (wall and CPU time, what ran in it:
// scripting, style, layout, paint, GC, and the `perf:` user-timing marks the app leaves with `?perf`), and the
// latency of slider moves made during the run: pointer move → the new value in the field's DOM, and → the first
// frame that shows it; the same drags on the idle page before the run give that frame wait's floor.

export const LONG_TASK_MS = 50;
const RUN_FOR_MS = 30_000;
const SLIDER_EVERY_MS = 2_500;
const SLIDER_MOVES = 6;
const SLIDER_MOVE_GAP_MS = 60;
/** Drags made on the idle page before the run starts (the baseline). */
const IDLE_DRAGS = 4;

/** Each lab as a new user opens it (default views), with a run long enough to train for the whole window. */
export const LAB_CASES = [
  { lab: 'train', prefix: 'run', hash: { width: 0.0625, batchSize: 32, steps: 100000, trainSize: 512, testSize: 64, evalEvery: 10 } },
  { lab: 'prune', prefix: 'run', hash: { width: 0.0625, batchSize: 32, steps: 100000, trainSize: 512, testSize: 64, evalEvery: 10 } },
  { lab: 'segment', prefix: 'seg', hash: { steps: 100000, evalEvery: 10 } },
  { lab: 'affinity', prefix: 'affinity', hash: { width: 0.0625, steps: 100000, trainSize: 512, testSize: 64, evalEvery: 10 } },
  // pretrainedBackbone off: the shipped backbone is made by `npm run pretrain:detect` and may be absent from a checkout.
  { lab: 'detect', prefix: 'detect', hash: { steps: 100000, evalEvery: 10, testSize: 20, pretrainedBackbone: 'false' } },
];

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing'];

/** Trace event names grouped into what a long task spent its time on (self time of the nested events). */
const KIND_OF = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.callFunction': 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  RunMicrotasks: 'script',
  'V8.GC_SCAVENGER': 'gc',
  MinorGC: 'gc',
  MajorGC: 'gc',
  'V8.GCScavenger': 'gc',
  'V8.GCFinalizeMC': 'gc',
  UpdateLayoutTree: 'style',
  ScheduleStyleRecalculation: 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  Commit: 'paint',
  UpdateLayer: 'paint',
  PaintImage: 'paint',
  HitTest: 'layout',
};

/** What started a task: the first nested event that names its cause. */
function triggerOf(children) {
  for (const c of children) {
    if (c.name === 'TimerFire') return 'timer';
    if (c.name === 'FireAnimationFrame') return 'animation frame';
    if (c.name === 'EventDispatch') return `event ${c.args?.data?.type ?? '?'}`;
    if (c.name === 'FunctionCall') return 'function call (message / scheduler)';
    if (c.name === 'ParseHTML' || c.name === 'EvaluateScript') return 'script load';
  }
  return children[0]?.name ?? 'unknown';
}

/**
 * Main-thread tasks over the long-task threshold in a Chrome trace: wall and thread CPU time, the time its nested
 * events spent per kind (self time), what started it, and the app's `perf:` marks that fall inside it; and per
 * marked view, the wall and CPU time of the tasks that redrew it (long or not).
 */
export function analyzeTrace(buffer) {
  const events = JSON.parse(buffer.toString()).traceEvents ?? [];
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const onMain = events.filter((e) => mains.has(`${e.pid}:${e.tid}`));
  const tasks = onMain.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur > LONG_TASK_MS * 1000);
  const spans = onMain.filter((e) => e.ph === 'X' && e.name !== 'ThreadControllerImpl::RunTask' && typeof e.dur === 'number');
  const marks = onMain.filter(
    (e) => (e.ph === 'R' || e.ph === 'I' || e.ph === 'n' || e.ph === 'b') && typeof e.name === 'string' && e.name.startsWith('perf:'),
  );
  // Every task (long or not) that holds a view's mark: what one redraw of that view costs.
  const allTasks = onMain.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  const perView = {};
  for (const m of marks) {
    const t = allTasks.find((x) => x.ts <= m.ts && m.ts <= x.ts + x.dur);
    if (!t) continue;
    (perView[m.name.slice(5)] ??= []).push({ wall: t.dur / 1000, cpu: typeof t.tdur === 'number' ? t.tdur / 1000 : null });
  }
  const med = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null);
  const redraws = Object.fromEntries(
    Object.entries(perView).map(([k, v]) => {
      const cpu = v.map((x) => x.cpu).filter((x) => x !== null);
      return [
        k,
        {
          count: v.length,
          wallMedianMs: Math.round(med(v.map((x) => x.wall))),
          wallMaxMs: Math.round(Math.max(...v.map((x) => x.wall))),
          cpuMedianMs: cpu.length ? Math.round(med(cpu)) : null,
          cpuMaxMs: cpu.length ? Math.round(Math.max(...cpu)) : null,
        },
      ];
    }),
  );
  const long = tasks.map((t) => {
    const end = t.ts + t.dur;
    const inside = spans.filter((s) => s.ts >= t.ts && s.ts + s.dur <= end).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // Self time per kind: a known event's duration minus that of the known events nested directly in it.
    const known = inside.filter((s) => KIND_OF[s.name]);
    const kinds = {};
    for (const s of known) {
      const nested = known.filter((o) => o !== s && o.ts >= s.ts && o.ts + o.dur <= s.ts + s.dur);
      const direct = nested.filter((o) => !nested.some((p) => p !== o && o.ts >= p.ts && o.ts + o.dur <= p.ts + p.dur));
      const self = s.dur - direct.reduce((a, o) => a + o.dur, 0);
      kinds[KIND_OF[s.name]] = (kinds[KIND_OF[s.name]] ?? 0) + self;
    }
    const byKind = Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, Math.round(v / 1000)]));
    const seen = {};
    for (const m of marks) if (m.ts >= t.ts && m.ts <= end) seen[m.name.slice(5)] = (seen[m.name.slice(5)] ?? 0) + 1;
    return {
      wallMs: Math.round(t.dur / 1000),
      cpuMs: typeof t.tdur === 'number' ? Math.round(t.tdur / 1000) : null,
      trigger: triggerOf(inside),
      byKindMs: byKind,
      marks: seen,
    };
  });
  return { long, redraws };
}

/** Installed before the app: long tasks from the observer, and the latency of every slider pointer move. */
function instrument() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__sliderLatency = [];
  document.addEventListener(
    'pointermove',
    (e) => {
      const slider = e.target;
      if (!(slider instanceof HTMLInputElement) || slider.type !== 'range' || !(e.buttons & 1)) return;
      const field = slider.parentElement?.querySelector('input:not([type="range"])');
      if (!field) return;
      const before = field.value;
      const t0 = e.timeStamp;
      // ms: to the first frame that shows the new value; domMs: to the new value in the field's DOM (the input event and
      // the render it causes, after any wait for the main thread) — the part the page controls; the rest is the wait for a frame.
      const sample = { ms: null, domMs: null, value: before };
      window.__sliderLatency.push(sample);
      const onInput = () =>
        queueMicrotask(() => {
          if (sample.domMs === null && field.value !== before) sample.domMs = performance.now() - t0;
        });
      document.addEventListener('input', onInput);
      // The field shows the new value in the first frame whose rAF sees it; the frame is on screen when a task posted from that rAF runs.
      const check = () => {
        if (field.value !== before) {
          document.removeEventListener('input', onInput);
          sample.value = field.value;
          const ch = new MessageChannel();
          ch.port1.onmessage = () => (sample.ms = performance.now() - t0);
          ch.port2.postMessage(0);
        } else if (performance.now() - t0 < 2_000) requestAnimationFrame(check);
        else document.removeEventListener('input', onInput);
      };
      requestAnimationFrame(check);
    },
    true,
  );
}

const quantile = (xs, q) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Drag the lab's first live slider a few pixels back and forth (it ends where it began), measured in the page. */
async function wiggleSlider(page, slider) {
  await slider.scrollIntoViewIfNeeded();
  const box = await slider.boundingBox();
  if (!box) return;
  const pos = await slider.evaluate((el) => (Number(el.value) - Number(el.min)) / (Number(el.max) - Number(el.min)));
  const x = box.x + 8 + pos * (box.width - 16);
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  const dx = Math.max(4, box.width / 25);
  const path = [1, 2, 3, 2, 1, 0].slice(0, SLIDER_MOVES);
  for (const k of path) {
    await page.mouse.move(x + k * dx, y);
    await page.waitForTimeout(SLIDER_MOVE_GAP_MS);
  }
  await page.mouse.up();
}

/** One lab: open on wasm, start a run, trace 30 s of training while a slider is dragged now and then. */
export async function benchLab(browser, base, c) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const notes = [];
  page.on('pageerror', (e) => notes.push(`pageerror: ${String(e.message).split('\n')[0]}`));
  await page.addInitScript(instrument);
  try {
    const hash = new URLSearchParams(Object.entries(c.hash).map(([k, v]) => [k, String(v)])).toString();
    await page.goto(`${base}/?backend=wasm&lab=${c.lab}&perf=1#${hash}`);
    await page.getByTestId('app.backend').filter({ hasText: 'wasm' }).waitFor({ timeout: 60_000 });
    const start = page.getByTestId(`${c.prefix}.start`);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="${id}"]`)?.hasAttribute('disabled') === false, `${c.prefix}.start`, {
      timeout: 60_000,
    });
    const slider = page.locator('input[type="range"]:not([disabled])').first();
    const sliderId = (await slider.getAttribute('data-testid').catch(() => null)) ?? null;
    // The same drags on the idle page first: the floor that the wait for a frame sets, with nothing training.
    for (let i = 0; sliderId && i < IDLE_DRAGS; i++) {
      await wiggleSlider(page, slider);
      await page.waitForTimeout(SLIDER_MOVE_GAP_MS * 3);
    }
    const idle = await page.evaluate(() => window.__sliderLatency.splice(0));
    await start.click();
    // The window opens once the run trains (the first step is done).
    await page.getByTestId(`${c.prefix}.status`).filter({ hasText: 'running' }).waitFor({ timeout: 120_000 });
    const startAt = await page.evaluate(() => performance.now());
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const began = Date.now();
    let wiggles = 0;
    while (Date.now() - began < RUN_FOR_MS) {
      await page.waitForTimeout(SLIDER_EVERY_MS);
      if (sliderId && Date.now() - began < RUN_FOR_MS - 1_000) {
        await wiggleSlider(page, slider);
        wiggles++;
      }
    }
    const runMs = Date.now() - began;
    const endAt = await page.evaluate(() => performance.now());
    const { long: traced, redraws } = analyzeTrace(await browser.stopTracing());
    const status = (await page.getByTestId(`${c.prefix}.status`).textContent())?.trim();
    await page
      .getByTestId(`${c.prefix}.stop`)
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    const { tasks, latency } = await page.evaluate(() => ({ tasks: window.__longTasks, latency: window.__sliderLatency }));
    const during = tasks.filter((t) => t.start >= startAt && t.start <= endAt);
    const lat = latency.filter((l) => l.ms !== null).map((l) => l.ms);
    const dom = latency.filter((l) => l.domMs !== null).map((l) => l.domMs);
    const idleLat = idle.filter((l) => l.ms !== null).map((l) => l.ms);
    return {
      ok: true,
      lab: c.lab,
      runSeconds: runMs / 1000,
      statusAtEnd: status,
      longestTaskMs: Math.round(during.reduce((m, t) => Math.max(m, t.duration), 0)),
      longTasks: during.length,
      trace: traced,
      /** Per view (its `perf:` mark): how many redraws in the window and what the task holding one cost. */
      redraws,
      longestTaskCpuMs: traced.reduce((m, t) => Math.max(m, t.cpuMs ?? 0), 0),
      slider: sliderId,
      sliderDrags: wiggles,
      sliderSamples: lat.length,
      sliderUnchanged: latency.length - lat.length,
      sliderMedianMs: quantile(lat, 0.5),
      sliderP95Ms: quantile(lat, 0.95),
      sliderMaxMs: lat.length ? Math.max(...lat) : null,
      sliderDomMedianMs: quantile(dom, 0.5),
      sliderDomP95Ms: quantile(dom, 0.95),
      sliderDomMaxMs: dom.length ? Math.max(...dom) : null,
      sliderIdleSamples: idleLat.length,
      sliderIdleMedianMs: quantile(idleLat, 0.5),
      sliderIdleP95Ms: quantile(idleLat, 0.95),
      notes,
    };
  } catch (e) {
    const status = await page
      .getByTestId(`${c.prefix}.status`)
      .textContent({ timeout: 2_000 })
      .catch(() => null);
    const error = await page
      .getByTestId(`${c.prefix}.error`)
      .textContent({ timeout: 1_000 })
      .catch(() => null);
    if (status) notes.push(`status: ${status}${error ? `, error: ${error}` : ''}`);
    return { ok: false, lab: c.lab, error: (e instanceof Error ? e.message : String(e)).split('\n')[0], notes };
  } finally {
    await context.close().catch(() => undefined);
  }
}

const fmt = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');

/** One line per lab, then each long task with what ran in it. */
export function printLabs(results) {
  console.log(
    `\nLabs on wasm, a run training, ${RUN_FOR_MS / 1000} s window, slider dragged every ${SLIDER_EVERY_MS / 1000} s (targets: no task > ${LONG_TASK_MS} ms, slider ≤ 16 ms)`,
  );
  for (const r of results) {
    if (!r.ok) {
      console.log(`  ${r.lab.padEnd(9)} FAILED: ${r.error} ${r.notes.join('; ')}`);
      continue;
    }
    console.log(
      `  ${r.lab.padEnd(9)} longest task ${fmt(r.longestTaskMs)} ms (CPU ${fmt(r.longestTaskCpuMs)} ms), ${r.longTasks} tasks > ${LONG_TASK_MS} ms; ` +
        `slider ${r.slider ?? 'none'}: median ${fmt(r.sliderMedianMs, 1)} ms, p95 ${fmt(r.sliderP95Ms, 1)} ms, max ${fmt(r.sliderMaxMs, 1)} ms over ${r.sliderSamples} moves` +
        `${r.sliderUnchanged ? ` (${r.sliderUnchanged} moved nothing)` : ''}; status at end: ${r.statusAtEnd}`,
    );
    if (r.slider)
      console.log(
        `    slider, move → value in the field's DOM: median ${fmt(r.sliderDomMedianMs, 1)} ms, p95 ${fmt(r.sliderDomP95Ms, 1)} ms, max ${fmt(r.sliderDomMaxMs, 1)} ms; ` +
          `move → frame on the idle page before the run: median ${fmt(r.sliderIdleMedianMs, 1)} ms, p95 ${fmt(r.sliderIdleP95Ms, 1)} ms over ${r.sliderIdleSamples} moves`,
      );
    for (const [k, v] of Object.entries(r.redraws ?? {}))
      console.log(
        `    redraw ${k}: ${v.count}×, task wall median ${v.wallMedianMs} ms (max ${v.wallMaxMs}), CPU median ${fmt(v.cpuMedianMs)} ms (max ${fmt(v.cpuMaxMs)})`,
      );
    for (const t of r.trace) {
      const kinds = Object.entries(t.byKindMs)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const marks = Object.entries(t.marks)
        .map(([k, n]) => (n > 1 ? `${k}×${n}` : k))
        .join(' ');
      console.log(
        `      ${String(t.wallMs).padStart(4)} ms wall / ${String(t.cpuMs ?? '?').padStart(4)} CPU: ${t.trigger}; ${kinds}${marks ? `; ${marks}` : ''}`,
      );
    }
  }
}
