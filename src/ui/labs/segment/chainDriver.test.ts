import { describe, expect, it } from 'vitest';
import type { HyperparamChange, RunStatus } from '../../../protocol/events';
import { SEGMENT_LAB, type SegConfig, type SegSizeName, type SegSlot, type SegZooInfo } from '../../../protocol/labs/segment';
import { ChainDriver, type ChainHost, type ChainRun } from './chainDriver';

const form = (over: Partial<SegConfig> = {}): SegConfig => ({ ...SEGMENT_LAB.defaults(), dataset: 'ds-camvid', steps: 2, ...over });
const flush = () => new Promise((r) => setTimeout(r, 0));

/** The engine, store and storage as the driver sees them: runs end when the test says so. */
class FakeHost implements ChainHost {
  run_: ChainRun | null = null;
  started: SegConfig[] = [];
  stops = 0;
  saved: string | null = null;
  /** Runs whose finish put their model into the zoo (else the driver must pick it from the library). */
  filled = new Set<string>();
  kept = new Map<string, string>();
  useInZooCalls: [SegSizeName, SegSlot, string][] = [];
  useInZooRefusal: string | null = null;
  otherActive = false;
  private listeners = new Set<() => void>();
  private n = 0;

  start(config: SegConfig): string {
    const id = `run-${++this.n}`;
    this.started.push(config);
    this.run_ = { id, status: 'preparing', progress: null, error: null, hpChanges: [] };
    this.emit();
    return id;
  }
  async stop(): Promise<void> {
    this.stops++;
    this.end('stopped');
  }
  run = () => this.run_;
  anyActive = () => this.otherActive || (this.run_ !== null && ['preparing', 'running', 'paused'].includes(this.run_.status));
  subscribe(l: () => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  emit() {
    for (const l of [...this.listeners]) l();
  }
  async zoo(): Promise<SegZooInfo> {
    const id = this.run_?.id ?? '';
    const entries = this.filled.has(id) ? [{ slot: this.slotOf(id), size: 'low', origin: id } as SegZooInfo['entries'][number]] : [];
    return { entries, shippedError: null, loading: false };
  }
  private slotOf(id: string): SegSlot {
    const c = this.started[Number(id.slice(4)) - 1]!;
    return c.model === 'student' ? (c.upscale === 'bilinear' ? 'student-bilinear' : 'student-pixelshuffle') : c.model;
  }
  keptModel = (runId: string) => this.kept.get(runId) ?? null;
  async useInZoo(size: SegSizeName, slot: SegSlot, modelId: string): Promise<string | null> {
    this.useInZooCalls.push([size, slot, modelId]);
    return this.useInZooRefusal;
  }
  load = () => this.saved;
  save = (t: string | null) => void (this.saved = t);
  now = () => 1000;

  /** The live run steps, then ends. */
  progress(step: number, secondsPerStep: number) {
    this.run_ = {
      ...this.run_!,
      status: 'running',
      progress: { step, totalSteps: 2, epoch: 0, etaSeconds: 1, stepsPerSecond: 1 / secondsPerStep, imagesPerSecond: 1, phase: 'training' },
    };
    this.emit();
  }
  /** A slider moved during the live run: the engine recorded the change (a marker). */
  slide(key: HyperparamChange['key'], to: number) {
    const r = this.run_!;
    this.run_ = { ...r, hpChanges: [...r.hpChanges, { step: r.progress?.step ?? 0, key, from: NaN, to }] };
    this.emit();
  }
  end(status: RunStatus, message?: string) {
    this.run_ = { ...this.run_!, status, error: message ? { code: 'internal', message } : null };
    this.emit();
  }
  /** The current run ends 'done' with its model filling its slot (the run's finish did it), then the driver's claim settles. */
  async finish() {
    this.filled.add(this.run_!.id);
    this.end('done');
    await flush();
  }
}

const stagesOf = (d: ChainDriver) => d.getState()!.stages.map((s) => s.status);
const models = (h: FakeHost) => h.started.map((c) => `${c.model}/${c.chain}/${c.upscale}`);

describe('Train the chain: the driver', () => {
  it('runs the four stages in order, each after the previous ended done, one ordinary run each', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    expect(d.start(form())).toBeNull();
    expect(stagesOf(d)).toEqual(['running', 'pending', 'pending', 'pending']);
    h.progress(1, 0.5);
    h.progress(2, 0.4);
    await h.finish();
    expect(stagesOf(d)).toEqual(['done', 'running', 'pending', 'pending']);
    expect(d.getState()!.stages[0]!.secondsPerStep).toBeCloseTo(0.4);
    await h.finish();
    await h.finish();
    await h.finish();
    expect(models(h)).toEqual([
      'teacher/none/bilinear',
      'tutor/teacher-student/bilinear',
      'student/teacher-tutor-student/bilinear',
      'student/teacher-tutor-student/ps-agg',
    ]);
    expect(d.getState()!.status).toBe('done');
    expect(d.getState()!.message).toMatch(/^Done: the four models hold their zoo slots at the low size/);
    expect(h.useInZooCalls).toEqual([]); // every finish filled its slot itself
    expect(JSON.parse(h.saved!).status).toBe('done');
  });

  it('with the teacher’s second phase: five runs, the second trains on from the zoo’s teacher and takes the teacher’s slot', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    const plan = { teacher: { steps: 3, teacherHead: 'plain' as const }, 'teacher-finetune': { steps: 2, lr: 0.01, lovaszWeight: 3 } };
    expect(d.start(form(), { teacher: { teacherHead: 'refined' }, 'teacher-finetune': { steps: 2, teacherHead: 'plain' } })).toMatch(/cannot drop heads/);
    expect(h.started).toEqual([]);
    expect(d.start(form(), plan)).toBeNull();
    expect(stagesOf(d)).toEqual(['running', 'pending', 'pending', 'pending', 'pending']);
    await h.finish();
    // The second phase's run ends without filling the slot itself: the driver puts its kept model there.
    h.kept.set('run-2', 'model-2');
    h.end('done');
    await flush();
    await flush();
    expect(h.useInZooCalls).toEqual([['low', 'teacher', 'model-2']]);
    expect(stagesOf(d)).toEqual(['done', 'done', 'running', 'pending', 'pending']);
    await h.stop();
    expect(d.getState()!.message).toMatch(/^Stopped during the tutor stage/);
    const again = new ChainDriver(h); // a reload: five stages, paused at the tutor
    expect(again.getState()!.stages.map((s) => s.id)).toEqual(['teacher', 'teacher-finetune', 'tutor', 'student-bilinear', 'student-pixelshuffle']);
    expect(again.resume()).toBeNull();
    await h.finish();
    await h.finish();
    await h.finish();
    expect(h.started.map((c) => [c.model, c.steps, c.startFrom, c.lr, c.lovaszWeight, c.teacherHead])).toEqual([
      ['teacher', 3, 'fresh', form().lr, 0, 'plain'],
      ['teacher', 2, 'zoo', 0.01, 3, 'plain'],
      ['tutor', 2, 'fresh', form().lr, 0, form().teacherHead], // stopped
      ['tutor', 2, 'fresh', form().lr, 0, form().teacherHead],
      ['student', 2, 'fresh', form().lr, 0, form().teacherHead],
      ['student', 2, 'fresh', form().lr, 0, form().teacherHead],
    ]);
    expect(again.getState()!.status).toBe('done');
  });

  it('names the second phase when it stops or fails', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    expect(d.start(form(), { 'teacher-finetune': { steps: 2 } })).toBeNull();
    await h.finish();
    h.end('error', 'The zoo holds no teacher at this size.');
    expect(d.getState()!.status).toBe('failed');
    expect(d.getState()!.message).toBe('The teacher (second phase) stage failed: The zoo holds no teacher at this size.');
  });

  it('starts each stage with its own plan settings, and a Resume after a reload keeps them', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    expect(d.start(form(), { tutor: { steps: 0 } })).toMatch(/^The tutor stage's setting steps: /);
    expect(h.started).toEqual([]);
    expect(
      d.start(form({ classBalance: 'none' }), {
        teacher: { steps: 5, classBalance: 'sqrt-median-frequency' },
        'student-pixelshuffle': { affinityLoss: 'ffa' },
      }),
    ).toBeNull();
    await h.finish();
    await h.stop();
    const again = new ChainDriver(h); // a reload: the saved chain, paused
    expect(again.resume()).toBeNull();
    await h.finish();
    await h.finish();
    await h.finish();
    expect(h.started.map((c) => [c.steps, c.classBalance, c.affinityLoss])).toEqual([
      [5, 'sqrt-median-frequency', 'none'],
      [2, 'none', 'none'],
      [2, 'none', 'none'],
      [2, 'none', 'none'],
      [2, 'none', 'ffa'],
    ]);
    expect(again.getState()!.status).toBe('done');
  });

  it('a slider moved during a stage carries on: the next stages start with it, and a Resume reruns the stopped stage with it', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form({ lr: 0.05 }));
    h.progress(1, 0.5);
    h.slide('lr', 0.01);
    h.slide('temperature', 2);
    await h.finish();
    expect(h.started.map((c) => [c.lr, c.temperature])).toEqual([
      [0.05, 1],
      [0.01, 2],
    ]);
    // A change during the tutor, then Stop: the tutor reruns with it, and the students follow.
    h.slide('lr', 0.003);
    await d.stop();
    expect(d.resume()).toBeNull();
    await h.finish();
    await h.finish();
    await h.finish();
    expect(h.started.map((c) => c.lr)).toEqual([0.05, 0.01, 0.003, 0.003, 0.003]);
    // The saved chain holds the carried values (a reload resumes with them); a stage's config ends with the sliders' last values during it.
    expect(JSON.parse(h.saved!).stages.map((s: { config: SegConfig }) => s.config.lr)).toEqual([0.01, 0.003, 0.003, 0.003]);
  });

  it('a stage whose model the zoo did not take (a better one was there) is picked into its slot from the library first', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form());
    h.end('done'); // not filled: the driver waits for the library's copy
    await flush();
    expect(stagesOf(d)[0]).toBe('running');
    expect(h.started).toHaveLength(1);
    h.kept.set('run-1', 'm-teacher');
    h.emit();
    await flush();
    expect(h.useInZooCalls).toEqual([['low', 'teacher', 'm-teacher']]);
    expect(stagesOf(d)).toEqual(['done', 'running', 'pending', 'pending']);
  });

  it('a refused pick or a model that never reaches the library stops the chain with a sentence', async () => {
    const h = new FakeHost();
    h.useInZooRefusal = 'The model "x" takes 128×256 images.';
    const d = new ChainDriver(h);
    d.start(form());
    h.kept.set('run-1', 'm-1');
    h.end('done');
    await flush();
    expect(d.getState()!.status).toBe('failed');
    expect(d.getState()!.message).toBe('The teacher\'s model could not take its zoo slot: The model "x" takes 128×256 images.');

    const h2 = new FakeHost();
    const d2 = new ChainDriver(h2, 5);
    d2.start(form());
    h2.end('done');
    await new Promise((r) => setTimeout(r, 30));
    expect(d2.getState()!.status).toBe('failed');
    expect(d2.getState()!.message).toMatch(/^The teacher's model \(run run-1\) did not reach the model library within 0 s/);
    expect(h2.started).toHaveLength(1);
  });

  it('Stop stops the stage in progress and pauses; Resume runs that stage again, the finished ones keep their slots', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form());
    await h.finish();
    h.progress(1, 0.3);
    await d.stop();
    expect(h.stops).toBe(1);
    expect(d.getState()!.status).toBe('paused');
    expect(stagesOf(d)).toEqual(['done', 'stopped', 'pending', 'pending']);
    expect(d.getState()!.message).toBe('Stopped during the tutor stage at step 1 / 2; Resume chain runs it again from its start.');
    expect(d.resume()).toBeNull();
    expect(models(h).slice(1)).toEqual(['tutor/teacher-student/bilinear', 'tutor/teacher-student/bilinear']);
    expect(stagesOf(d)).toEqual(['done', 'running', 'pending', 'pending']);
    await h.finish();
    await h.finish();
    await h.finish();
    expect(d.getState()!.status).toBe('done');
    expect(h.started).toHaveLength(5); // the teacher once, the tutor twice, each student once
  });

  it('Stop between two stages (while the model takes its slot) pauses before the next stage starts', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form());
    h.filled.add('run-1');
    h.end('done'); // the driver is reading the zoo now
    await d.stop();
    expect(h.stops).toBe(0); // no run to stop
    await flush();
    expect(d.getState()!.status).toBe('paused');
    expect(stagesOf(d)).toEqual(['done', 'pending', 'pending', 'pending']);
    expect(d.getState()!.message).toBe('Stopped after the teacher stage; Resume chain goes on with the tutor.');
    expect(h.started).toHaveLength(1);
  });

  it('a stage that fails stops the chain with its error sentence; Resume starts from it', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form());
    await h.finish();
    await h.finish();
    h.end('error', 'The loss became NaN at step 2: training diverged. Lower the learning rate and start again.');
    expect(d.getState()!.status).toBe('failed');
    expect(stagesOf(d)).toEqual(['done', 'done', 'error', 'pending']);
    expect(d.getState()!.message).toBe(
      'The student (bilinear) stage failed: The loss became NaN at step 2: training diverged. Lower the learning rate and start again.',
    );
    d.resume();
    expect(models(h).at(-1)).toBe('student/teacher-tutor-student/bilinear');
    expect(stagesOf(d)).toEqual(['done', 'done', 'running', 'pending']);
  });

  it('survives a reload: a chain saved as running comes back paused, and resumes from the first stage not done', async () => {
    const h = new FakeHost();
    const d = new ChainDriver(h);
    d.start(form({ steps: 7 }));
    await h.finish();
    d.dispose();
    // A new page: no run, the saved chain.
    const h2 = new FakeHost();
    h2.saved = h.saved;
    const d2 = new ChainDriver(h2);
    expect(d2.getState()!.status).toBe('paused');
    expect(stagesOf(d2)).toEqual(['done', 'stopped', 'pending', 'pending']);
    expect(d2.getState()!.message).toMatch(/^The page was reloaded or closed during the tutor stage; Resume chain runs it again/);
    expect(JSON.parse(h2.saved!).status).toBe('paused');
    d2.resume();
    expect(models(h2)).toEqual(['tutor/teacher-student/bilinear']);
    expect(h2.started[0]!.steps).toBe(7); // the chain's settings, not the form's now
  });

  it('refuses to start while a run holds the engine, and pauses instead of taking the engine from another run between stages', async () => {
    const h = new FakeHost();
    h.otherActive = true;
    const d = new ChainDriver(h);
    expect(d.start(form())).toBe('A run holds the engine: stop it before training the chain.');
    expect(d.getState()).toBeNull();
    h.otherActive = false;
    d.start(form());
    h.filled.add('run-1');
    h.otherActive = true; // e.g. a Prune run started in the moment between two stages
    h.end('done');
    await flush();
    expect(d.getState()!.status).toBe('paused');
    expect(d.getState()!.message).toBe('Another run holds the engine, so the tutor stage did not start: Resume chain once it ends.');
    expect(d.resume()).toBe('A run holds the engine: stop it before resuming the chain.');
    d.dismiss();
    expect(d.getState()).toBeNull();
    expect(h.saved).toBeNull();
  });
});
