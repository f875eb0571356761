/**
 * The Affinity lab in the worker: the teacher slot (the shipped teacher from public/models/affinity/, or
 * one trained here, which replaces it), and runs: a teacher on labels, or a student distilled from the
 * slot's teacher — refused, with what to train first, when there is none or it learned another dataset.
 * Every finished run's network (teacher or student) is kept in the model library.
 */
import {
  AffinitySession,
  affinityNetCost,
  affinityTrainerOptions,
  measureAffinityCost,
  disposeParams,
  loadAffinityNet,
  type AffinityNet,
  type ImageDataset,
} from '../../engine';
import { type AffinityConfig, type AffinityTeacherInfo, type AffinityTeacherState } from '../../protocol/labs/affinity';
import { SHIPPED_MODEL_PREFIX } from '../../protocol/models';
import { describeError, EngineFault } from '../errors';
import { affinityMeta, affinityToKeep } from '../modelFormats';
import { lazyStore, ModelStore } from '../modelStore';
import { fetchShipped, type ShippedReader } from '../shippedFiles';
import { yieldToEventLoop } from '../yieldToEventLoop';
import type { LabContext, RunPlan, WorkerLab } from './types';

export interface AffinityLabOptions {
  /** Where the shipped teacher is read from (tests give a map or the file system). */
  read?: ShippedReader;
  /** Open the model store a library teacher is read from (default: IndexedDB 'pdw-models'; null: none). */
  store?: (() => Promise<ModelStore>) | null;
}

/** The frozen teacher a distillation run reads, and what the UI shows of it. */
class TeacherSlot {
  private held: { net: AffinityNet; info: AffinityTeacherInfo } | null = null;
  private loading: Promise<void> | null = null;
  private missing: string | null = null;

  constructor(private readonly read: ShippedReader) {}

  /** Load the shipped teacher once (a trained one that arrived first wins). */
  ensureShipped(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const [json, bin] = await Promise.all([this.read('teacher.json'), this.read('teacher.bin')]);
        if (!json || !bin) {
          this.missing = 'No shipped teacher was found (run `npm run pretrain:affinity`): train one in the lab (Model to train: Teacher).';
          return;
        }
        const { net, provenance } = loadAffinityNet(JSON.parse(new TextDecoder().decode(json)), bin);
        if (this.held) return disposeParams(net.store);
        this.held = { net, info: infoOf(net, provenance, 'shipped') };
        this.missing = null;
      } catch (err) {
        this.missing = `The shipped teacher could not be loaded (${err instanceof Error ? err.message : String(err)}); train one in the lab.`;
        this.loading = null; // try again next time
      }
    })();
    return this.loading;
  }

  state(): AffinityTeacherState {
    return { teacher: this.held?.info ?? null, missing: this.held ? null : this.missing };
  }

  get net(): AffinityNet | null {
    return this.held?.net ?? null;
  }

  get info(): AffinityTeacherInfo | null {
    return this.held?.info ?? null;
  }

  /** Load the shipped teacher again into the slot (the held one is disposed); false when there is none. */
  async putShipped(before: () => void): Promise<boolean> {
    const [json, bin] = await Promise.all([this.read('teacher.json'), this.read('teacher.bin')]);
    if (!json || !bin) return false;
    const { net, provenance } = loadAffinityNet(JSON.parse(new TextDecoder().decode(json)), bin);
    before();
    this.put(net, infoOf(net, provenance, 'shipped'));
    return true;
  }

  /** A trained teacher replaces the slot's (the old one is disposed). */
  put(net: AffinityNet, info: AffinityTeacherInfo): void {
    if (this.held && this.held.net !== net) disposeParams(this.held.net.store);
    this.held = { net, info };
    this.missing = null;
  }
}

function infoOf(net: AffinityNet, p: Record<string, unknown>, origin: string): AffinityTeacherInfo {
  const cost = affinityNetCost(net.architecture);
  const str = (k: string, d: string) => (typeof p[k] === 'string' ? (p[k] as string) : d);
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : NaN);
  return {
    width: net.architecture.width,
    params: cost.params,
    macs: cost.macs,
    dataset: str('dataset', 'shapes'),
    datasetName: str('datasetName', str('dataset', 'shapes')),
    classNames: Array.isArray(p.classNames) ? (p.classNames as string[]) : [],
    testAccuracy: num('testAccuracy'),
    steps: num('steps'),
    origin,
  };
}

export function affinityLab(ctx: LabContext, opts: AffinityLabOptions = {}): WorkerLab<'affinity'> {
  const slot = new TeacherSlot(opts.read ?? fetchShipped('affinity'));
  /** The last finished student run's session, kept for the estimator study until the next run starts. */
  let kept: AffinitySession | null = null;
  /** The session of the run in progress (for the image the views show). */
  let current: AffinitySession | null = null;
  const release = () => {
    kept?.dispose();
    kept = null;
  };
  const pushTeacher = () => ctx.push({ lab: 'affinity', name: 'teacher', value: slot.state() });

  /** The teacher a student run needs, or a fault that says what to train first. */
  const teacherFor = async (config: AffinityConfig, data: ImageDataset): Promise<AffinityNet | null> => {
    if (config.role === 'teacher') return null;
    await ctx.backendReady();
    await slot.ensureShipped();
    const info = slot.info;
    if (!slot.net || !info)
      throw new EngineFault('invalid-config', `There is no teacher to distil from yet: train one first (Model to train: Teacher) on ${data.name}.`);
    if (info.dataset !== config.dataset)
      throw new EngineFault(
        'invalid-config',
        `The teacher was trained on ${info.datasetName}, and this run trains on ${data.name}: train a teacher on ${data.name} first (Model to train: Teacher), or pick ${info.datasetName}.`,
      );
    return slot.net;
  };

  const open = opts.store === undefined ? (typeof indexedDB === 'undefined' ? null : () => ModelStore.open()) : opts.store;
  const store = open ? lazyStore(open) : null;

  /** A library teacher (or 'shipped') into the slot (the last student's session is released once the new one is loaded); throws a sentence. */
  const useTeacher = async (modelId: string): Promise<void> => {
    if (typeof modelId !== 'string' || modelId === '') throw new EngineFault('invalid-config', 'Choose an Affinity teacher from the model library.');
    if (modelId === 'shipped' || modelId.startsWith(SHIPPED_MODEL_PREFIX)) {
      if (!(await slot.putShipped(release))) throw new EngineFault('invalid-config', 'No shipped teacher was found (run `npm run pretrain:affinity`).');
      return;
    }
    if (!store) throw new EngineFault('storage-failed', "This browser's storage (IndexedDB) is not available, so library models cannot be read.");
    const { info, files, json } = await (await store()).files(modelId);
    if (info.lab !== 'affinity' || info.family !== 'affinity-teacher')
      throw new EngineFault(
        'invalid-config',
        `"${info.name}" is not an Affinity teacher (it is a ${info.family}): only an Affinity teacher can fill the teacher slot.`,
      );
    let loaded;
    try {
      loaded = loadAffinityNet(json, files.weights);
    } catch (err) {
      throw new EngineFault(
        'storage-failed',
        `The stored model "${info.name}" cannot be rebuilt (${err instanceof Error ? err.message : String(err)}); delete it.`,
      );
    }
    const { net, provenance } = loaded;
    const base = infoOf(net, provenance, provenance.origin === undefined ? modelId : String(provenance.origin));
    // The last student run's session (kept for the estimator study and the maps) reads the old teacher, which is disposed.
    release();
    slot.put(net, {
      ...base,
      dataset: info.dataset || base.dataset,
      datasetName: info.datasetName || base.datasetName,
      classNames: info.classNames.length > 0 ? info.classNames : base.classNames,
      testAccuracy: info.metric.value ?? base.testAccuracy,
      origin: info.provenance.runId ?? `library model "${info.name}"`,
    });
  };

  return {
    plan: (config, runId): RunPlan => {
      let data: ImageDataset | null = null;
      let lastAccuracy = NaN;
      return {
        steps: config.steps,
        evalEvery: config.evalEvery,
        dataset: config.dataset,
        prepare: async (onData, onBuilding) => {
          data = await ctx.images.get(config, onData);
          const teacher = await teacherFor(config, data);
          onBuilding();
          await yieldToEventLoop();
          const session = new AffinitySession(
            {
              ...affinityTrainerOptions(config, teacher),
              shadowEvery: config.shadowEvery,
              teacherAccuracy: teacher ? (slot.info?.testAccuracy ?? null) : null,
              imageIndex: 0,
            },
            data,
          );
          session.onEvaluated = (accuracy) => (lastAccuracy = accuracy);
          current = session;
          return session;
        },
        finish: (session, status) => {
          current = null;
          if (!(session instanceof AffinitySession)) return false;
          /** Keep a finished run's network in the library, with the provenance the teacher slot reads back. */
          const keep = (net: AffinityNet, d: ImageDataset) => {
            const { stats } = session.trainer;
            const normalization = { mean: [...stats.mean] as [number, number, number], std: [...stats.std] as [number, number, number] };
            const provenance = {
              dataset: config.dataset,
              datasetName: d.name,
              classNames: [...d.classNames],
              testAccuracy: lastAccuracy,
              steps: config.steps,
              origin: runId,
              normalization,
            };
            const meta = affinityMeta(net, {
              lab: 'affinity',
              metric: { name: 'test accuracy', value: lastAccuracy },
              dataset: config.dataset,
              datasetName: d.name,
              classNames: [...d.classNames],
              normalization,
              provenance: {
                runId,
                steps: config.steps,
                seed: config.seed,
                role: config.role,
                ...(config.role === 'student' ? { method: config.lossType } : {}),
              },
            });
            void ctx.keep(affinityToKeep(net, provenance, meta));
          };
          if (config.role === 'student') {
            // Kept for the estimator study (its features) until the next run starts (which waits for the library's save).
            if (status === 'error') return false;
            kept = session;
            if (status === 'done' && data) keep(session.trainer.model, data);
            return true;
          }
          // A finished teacher run fills the teacher slot.
          if (status !== 'done' || !data) return false;
          const net = session.releaseModel();
          keep(net, data);
          const cost = affinityNetCost(net.architecture);
          slot.put(net, {
            width: config.width,
            params: cost.params,
            macs: cost.macs,
            dataset: config.dataset,
            datasetName: data.name,
            classNames: [...data.classNames],
            testAccuracy: lastAccuracy,
            steps: config.steps,
            origin: runId,
          });
          pushTeacher();
          return true;
        },
      };
    },
    calls: {
      async teacher() {
        await ctx.backendReady();
        await slot.ensureShipped();
        return slot.state();
      },
      async useTeacher(modelId) {
        await ctx.backendReady();
        if (ctx.runActive())
          return {
            ok: false as const,
            error: { code: 'busy' as const, message: 'A run is going (it may be distilling from the teacher); stop it before changing the teacher.' },
          };
        try {
          await slot.ensureShipped(); // a shipped teacher still loading must not replace the chosen one afterwards
          await useTeacher(modelId);
          pushTeacher();
          return { ok: true as const, teacher: slot.state() };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async cost(k, order) {
        await ctx.backendReady();
        if (ctx.runActive())
          return { ok: false as const, error: { code: 'busy' as const, message: 'A run is going: stop it first, or the measurement would time the run too.' } };
        if (!Number.isInteger(k) || k < 1 || k > 256 || (order !== 1 && order !== 2))
          return {
            ok: false as const,
            error: { code: 'invalid-config' as const, message: `k must be a whole number from 1 to 256 and the order 1 or 2 (got k ${k}, order ${order}).` },
          };
        try {
          const batch = 2;
          const studentChannels = 16;
          const rows = await measureAffinityCost({ sides: [8, 16, 32, 64, 128], k, order, batch, studentChannels, faBudgetBytes: 256 * 2 ** 20, repeats: 3 });
          return { ok: true as const, report: { rows, backend: ctx.backendName(), k, order, batch, studentChannels } };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async estimator(size, draws) {
        if (ctx.runActive())
          return { ok: false as const, error: { code: 'busy' as const, message: 'A run is going: the study reads the features of a finished student run.' } };
        if (!kept)
          return {
            ok: false as const,
            error: { code: 'invalid-config' as const, message: 'Train a student with an affinity loss first: the study reads its features and the teacher’s.' },
          };
        try {
          const study = await kept.trainer.estimatorStudy(size, [1, 2, 4, 8, 16, 32, 64], Math.max(2, Math.min(256, Math.round(draws))));
          if (!study)
            return {
              ok: false as const,
              error: { code: 'invalid-config' as const, message: `The last student run did not distil the ${size}×${size} stage: pick a stage it tapped.` },
            };
          return { ok: true as const, study };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async maps(index) {
        const session = current ?? kept;
        if (!session)
          return {
            ok: false as const,
            error: { code: 'invalid-config' as const, message: 'Start a student run first: the views show its features and the teacher’s.' },
          };
        if (!Number.isFinite(index))
          return { ok: false as const, error: { code: 'invalid-config' as const, message: `The image number must be a number (got ${index}).` } };
        try {
          session.setImage(index);
          return { ok: true as const, maps: await session.maps() };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
    },
    release,
  };
}
