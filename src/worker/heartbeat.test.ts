import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import { testEngine, tinyConfig, tinyPruneConfig } from './engineApi.fixture';
import { EventQueue, Heartbeat, HEARTBEAT_EVERY_MS } from './eventQueue';

type Beat = Extract<EngineEvent, { type: 'heartbeat' }>;
const beatsIn = (events: EngineEvent[]) => events.filter((e): e is Beat => e.type === 'heartbeat');

describe('heartbeats (worker seam, cpu backend)', () => {
  it('a run sends heartbeats about once a second naming it, and an idle worker sends none', async () => {
    const { api, events, waitFor, statuses } = await testEngine();
    expect(await api.ping()).toMatchObject({ busy: null });
    expect(beatsIn(events)).toEqual([]);

    await api.start('train', tinyConfig({ steps: 5000, evalEvery: 5000 }), 'hb1');
    await waitFor(() => beatsIn(events).length >= 4, 30_000);
    const ping = await api.ping();
    expect(ping.busy).toMatch(/^the Train run \((preparing|running), step \d+ of 5000\)$/);
    await api.stop();
    expect(statuses().at(-1)).toBe('stopped');

    const beats = beatsIn(events);
    expect(beats[0]!.busy).toMatch(/^the Train run \(preparing, step 0 of 5000\)$/);
    expect(beats.some((b) => /^the Train run \(running, step [1-9]\d* of 5000\)$/.test(b.busy ?? ''))).toBe(true);
    const gaps = beats.slice(1).map((b, i) => b.at - beats[i]!.at);
    // ~1 s apart, or the next report after a step that was running when one fell due: far under the watchdog's 45 s
    expect(Math.max(...gaps)).toBeLessThan(10_000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.9 * HEARTBEAT_EVERY_MS - 10); // and not one per step

    // Idle again: no more heartbeats.
    const count = beatsIn(events).length;
    await new Promise((r) => setTimeout(r, 2.5 * HEARTBEAT_EVERY_MS));
    expect(beatsIn(events).length).toBe(count);
    expect(await api.ping()).toMatchObject({ busy: null });
  });

  it('a lab call is named while it lasts', async () => {
    const { api, events } = await testEngine();
    // The Prune lab's loadModel on a file that is not JSON: a short call, but it beats at its start.
    const r = await api.call('prune', 'loadModel', ['not json', new ArrayBuffer(0), tinyPruneConfig()]);
    expect(r.ok).toBe(false);
    expect(beatsIn(events).map((b) => b.busy)).toContain("the Prune lab's loadModel call");
    expect(await api.ping()).toMatchObject({ busy: null });
  });
});

describe('Heartbeat', () => {
  it('beats from touch() without an event-loop turn (a loop that never lets a timer run still gets beats out)', () => {
    const delivered: EngineEvent[] = [];
    const queue = new EventQueue((batch) => delivered.push(...batch));
    let busy: string | null = 'the Train run (running, step 1 of 9)';
    const heartbeat = new Heartbeat(queue, () => busy, 100);
    const t0 = Date.now();
    while (Date.now() - t0 < 350) heartbeat.touch(); // synchronous: no timer can fire in here
    const beats = beatsIn(delivered);
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.length).toBeLessThanOrEqual(5);
    expect(beats[0]).toEqual({ type: 'heartbeat', at: beats[0]!.at, busy: 'the Train run (running, step 1 of 9)' });
    busy = null;
    heartbeat.touch(); // work ended: the timer stops, nothing more is sent
    const n = beatsIn(delivered).length;
    heartbeat.touch();
    expect(beatsIn(delivered).length).toBe(n);
  });
});
