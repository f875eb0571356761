/**
 * Live views keep their redraws off the input path: while a slider is being dragged (pointer down on an
 * `<input type="range">` until it is released) a redraw waits, so a drag is never blocked by one.
 */
let dragging = false;
let installed = false;

function install(): void {
  if (installed || typeof document === 'undefined') return;
  installed = true;
  document.addEventListener(
    'pointerdown',
    (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type === 'range') dragging = true;
    },
    true,
  );
  const end = () => {
    dragging = false;
  };
  document.addEventListener('pointerup', end, true);
  document.addEventListener('pointercancel', end, true);
}

/** Whether a slider is being dragged now. */
export function sliderDragging(): boolean {
  install();
  return dragging;
}

const POLL_MS = 100;

/**
 * Call `fn` in a task of its own once no slider is being dragged (at the latest after `maxWaitMs`, so a view held
 * through a long drag still updates now and then). Returns a function that cancels the call.
 */
export function afterInput(fn: () => void, maxWaitMs = 2_000): () => void {
  install();
  const until = Date.now() + maxWaitMs;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = () => {
    timer = null;
    if (dragging && Date.now() < until) timer = setTimeout(tick, POLL_MS);
    else fn();
  };
  timer = setTimeout(tick, 0);
  return () => {
    if (timer !== null) clearTimeout(timer);
  };
}
