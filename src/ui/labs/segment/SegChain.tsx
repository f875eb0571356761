import { useEffect, useState } from 'react';
import { SEGMENT_LAB, UPSCALE_SHORT, type SegConfig } from '../../../protocol/labs/segment';
import { useWorkbench } from '../../../store';
import { ProgressBar } from '../../components/ProgressBar';
import { formatCount, formatDuration } from '../../format';
import { useActiveLab } from '../../runStatus';
import {
  chainConfigProblem,
  chainProgress,
  chainStageConfigs,
  parsePlan,
  planSetsAnything,
  zooMacs,
  type ChainPlan,
  type ChainStageId,
  type ChainProgress,
  type ChainState,
  type LiveStage,
} from './chain';
import { ChainPlanTable } from './ChainPlanTable';
import { STAGE_NAMES } from './chainDriver';
import { sizeLabel } from './segView';
import { segChain, useSegChain } from './useSegChain';

const STATUS_WORDS: Record<ChainState['status'], string> = { running: 'running', paused: 'paused', failed: 'stopped by an error', done: 'done' };
const STAGE_MARK = { pending: '○', running: '●', done: '✓', stopped: '◼', error: '✕' } as const;

/** A stage's short name: the PixelShuffle student names its variant. */
const stageName = (id: ChainStageId, config: SegConfig) => (id === 'student-pixelshuffle' ? `student (${UPSCALE_SHORT[config.upscale]})` : STAGE_NAMES[id]);

const SETTINGS_NOTE =
  'Every stage takes this form’s dataset, input size, batch size, flip, momentum, weight decay, aux weight, OHEM and evaluation settings, and its steps, class balancing, affinity term, lr, Lovász weight, teacher head and seed unless the table sets them for that stage (bold). ' +
  'The teacher trains on labels alone at the form’s teacher width; when the table gives its second phase steps, that phase trains on from the first phase’s model (the first phase’s settings unless set apart, a fresh poly schedule from its lr), as the shipped teacher’s did. α, T and the affinity term apply to the tutor (distilled from the teacher) and both students (distilled through the tutor). ' +
  'The tutor and the first student upsample bilinearly; the Upscaling menu picks the PixelShuffle student’s variant (bilinear → variant (a)). Model and Distillation chain are set by the chain. ' +
  'The settings are read when the chain starts; a live slider moved during a stage changes that stage and carries on to the stages after it that share its value (a stage the table sets apart keeps its own).';

/** A stage's own settings in words (its entry's tooltip). */
function stageSettings(c: SegConfig): string {
  const F = SEGMENT_LAB.fields;
  const affinity = c.model === 'teacher' ? '' : `, affinity term ${c.affinityLoss === 'none' ? 'none' : c.affinityLoss.toUpperCase()}`;
  const head = c.model === 'teacher' ? `, head ${F.teacherHead.optionLabels[c.teacherHead]}` : '';
  const from = c.startFrom === 'zoo' ? ', from the first phase’s model' : '';
  return `${c.steps.toLocaleString('en-US')} steps${from}, class balancing ${F.classBalance.optionLabels[c.classBalance]}${affinity}, lr ${c.lr}, Lovász weight ${c.lovaszWeight}${head}`;
}

/** How the whole-chain ETA was estimated (the bar's tooltip). */
function etaNote(p: ChainProgress, state: ChainState): string {
  const measured = [...state.stages].reverse().find((s) => s.status === 'done' && s.secondsPerStep);
  const from =
    p.basis === 'current'
      ? 'the stage in progress’s measured time per step'
      : `the ${measured ? stageName(measured.id, measured.config) : 'last finished stage'}’s measured time per step (the stage in progress has not timed a step yet)`;
  const scale = p.scaled
    ? ' × (that stage’s training MACs / the measured one’s); training MACs = 3 × the model’s forward MACs (forward + backward) + the frozen source’s forward MACs, from the zoo at this size'
    : ', assumed as fast per step (the zoo does not give every stage’s MACs at this size)';
  return `ETA over the whole chain: the stage in progress’s own ETA (its steps and evaluations left), plus for each stage not started its steps × ${from}${scale}. Later stages’ evaluations and model building are not counted.`;
}

/** The localStorage key of the per-stage settings of the next chain. */
const CHAIN_PLAN_KEY = 'pdw-seg-chain-plan';

/** The per-stage settings, kept across reloads (not in private mode or without quota: then for this page only). */
function useChainPlan(): [ChainPlan, (p: ChainPlan) => void] {
  const [plan, setPlan] = useState<ChainPlan>(() => {
    try {
      return parsePlan(localStorage.getItem(CHAIN_PLAN_KEY));
    } catch {
      return {};
    }
  });
  useEffect(() => {
    try {
      if (planSetsAnything(plan)) localStorage.setItem(CHAIN_PLAN_KEY, JSON.stringify(plan));
      else localStorage.removeItem(CHAIN_PLAN_KEY);
    } catch {
      // No storage: the plan holds for this page.
    }
  }, [plan]);
  return [plan, setPlan];
}

/** "2 steps each" when every stage trains as long, else each stage's steps in order ("3,000 / 800 / 6,400 / 6,400 steps"). */
function stepsText(configs: readonly SegConfig[], each: string): string {
  const steps = configs.map((c) => c.steps);
  const n = (x: number) => x.toLocaleString('en-US');
  return steps.every((x) => x === steps[0]) ? `${n(steps[0] ?? 0)} ${each}` : `${steps.map(n).join(' / ')} steps`;
}

/** "Train the chain": teacher → tutor → both students as four runs in a row, one progress bar and ETA, stop and resume. */
export function SegChain() {
  const chain = useSegChain();
  const form = useWorkbench((s) => s.configs.segment);
  const run = useWorkbench((s) => s.runs.segment);
  const zoo = useWorkbench((s) => s.labData.segment?.zoo ?? null);
  const datasets = useWorkbench((s) => s.datasets);
  const datasetsLoaded = useWorkbench((s) => s.datasetsLoaded);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const activeLab = useActiveLab();
  const [refused, setRefused] = useState<string | null>(null);
  const [chainPlan, setChainPlan] = useChainPlan();
  const datasetName = (id: string) => datasets.find((d) => d.id === id)?.name ?? id;

  const running = chain?.status === 'running';
  const problem = chainConfigProblem(form, chainPlan);
  const unknownSet = datasetsLoaded && !datasets.some((d) => d.id === form.dataset);
  const why = !engineReady
    ? 'The engine is starting…'
    : running
      ? 'The chain is running.'
      : activeLab
        ? 'A run holds the engine: stop it first.'
        : unknownSet
          ? 'The chosen dataset is not stored in this browser.'
          : problem;
  const stages = chainStageConfigs(form, chainPlan);
  const plan = `${stages.map((s) => stageName(s.id, s.config)).join(' → ')}: ${stepsText(
    stages.map((s) => s.config),
    'steps each',
  )} on ${datasetName(form.dataset)} at the ${form.size} size (${sizeLabel(form.size)}), each filling its zoo slot.`;

  const act = (f: () => string | null) => setRefused(f());

  const live: LiveStage | null = run
    ? {
        runId: run.id,
        step: run.progress?.step ?? 0,
        secondsPerStep: run.progress && run.progress.step > 0 && run.progress.stepsPerSecond > 0 ? 1 / run.progress.stepsPerSecond : null,
        etaSeconds: run.progress?.etaSeconds ?? null,
      }
    : null;
  const cfg = chain?.stages[0]?.config;
  const p = chain && cfg ? chainProgress(chain, live, zooMacs(zoo, cfg.size)) : null;
  const cur = chain && p && p.stage >= 0 ? chain.stages[p.stage]! : null;
  const stagePaused = running && cur?.runId === run?.id && run?.status === 'paused';

  return (
    <section className="seg-chain" aria-label="Train the chain">
      <div className="controls">
        <button
          type="button"
          className="seg-chain-start"
          data-testid="seg.chain.start"
          disabled={why !== null}
          title={why ?? `${plan}${chain ? ' The chain shown below is dropped (its models stay in the zoo and the library).' : ''}`}
          onClick={() => act(() => segChain().start(form, chainPlan))}
        >
          Train the chain
        </button>
        {running && (
          <button
            type="button"
            data-testid="seg.chain.stop"
            title="Stop the stage in progress (its run ends as stopped) and pause the chain"
            onClick={() => void segChain().stop()}
          >
            Stop chain
          </button>
        )}
        {chain && (chain.status === 'paused' || chain.status === 'failed') && (
          <button
            type="button"
            data-testid="seg.chain.resume"
            disabled={!engineReady || activeLab !== null}
            title={activeLab ? 'A run holds the engine: stop it first.' : 'Go on from the first stage not done (finished stages keep their zoo slots)'}
            onClick={() => act(() => segChain().resume())}
          >
            Resume chain
          </button>
        )}
        {chain && !running && (
          <button type="button" data-testid="seg.chain.dismiss" title="Forget this chain (its runs and models stay)" onClick={() => segChain().dismiss()}>
            Dismiss
          </button>
        )}
        {chain && (
          <span className={`status status-${chain.status === 'failed' ? 'error' : chain.status}`} data-testid="seg.chain.status">
            chain {STATUS_WORDS[chain.status]}
          </span>
        )}
      </div>
      {!chain && (
        <details className="seg-chain-plan">
          <summary data-testid="seg.chain.plan">
            {plan}{' '}
            <span className="seg-chain-plan-more">
              {planSetsAnything(chainPlan)
                ? 'Some stages set apart (steps, class balancing, affinity term, lr, Lovász weight, teacher head, seed, the teacher’s second phase)'
                : 'Set each stage apart: steps, class balancing, affinity term, lr, Lovász weight, teacher head, seed; the teacher’s second phase'}
            </span>
          </summary>
          <ChainPlanTable form={form} plan={chainPlan} zoo={zoo} onChange={setChainPlan} name={stageName} />
          <p className="muted">
            {SETTINGS_NOTE} A stage’s model takes its slot even when the zoo held a better one (that one stays in the model library; “Restore shipped models”
            brings the shipped ones back). Stop pauses the chain; Resume chain goes on from the first stage not done, also after a reload.
          </p>
        </details>
      )}
      {refused && (
        <p className="notice notice-error" role="alert" data-testid="seg.chain.refused">
          {refused}
        </p>
      )}
      {chain && cfg && p && (
        <div className="seg-chain-run">
          <p className="muted seg-chain-of">
            {datasetName(cfg.dataset)} at the {cfg.size} size ({sizeLabel(cfg.size)}),{' '}
            {stepsText(
              chain.stages.map((s) => s.config),
              'steps per stage',
            )}
          </p>
          <div className="progress" data-testid="seg.chain.bar" data-stage={p.stage + 1}>
            <ProgressBar
              fraction={p.fraction}
              label="Chain progress"
              testId="seg.chain.progress"
              statusTestId="seg.chain.eta"
              caption={
                <span data-testid="seg.chain.step">
                  {p.stage >= 0 && cur ? `stage ${p.stage + 1} of ${chain.stages.length}: ${stageName(cur.id, cur.config)} · ` : 'all stages done · '}
                  {formatCount(p.stepsDone)} / {formatCount(p.stepsTotal)} steps
                </span>
              }
              status={
                <span title={p.etaSeconds !== null ? etaNote(p, chain) : undefined}>
                  {!running
                    ? STATUS_WORDS[chain.status]
                    : stagePaused
                      ? 'stage paused'
                      : p.etaSeconds === null
                        ? 'chain ETA estimating…'
                        : `chain ETA ${formatDuration(p.etaSeconds)}`}
                </span>
              }
            />
          </div>
          <ol className="seg-chain-stages">
            {chain.stages.map((s, i) => (
              <li
                key={s.id}
                data-testid="seg.chain.stage"
                data-stage={s.id}
                data-slot={s.slot}
                data-status={s.status}
                className={`seg-chain-stage seg-chain-${s.status}`}
              >
                <span aria-hidden="true">{STAGE_MARK[s.status]}</span> {i + 1}. {stageName(s.id, s.config)}{' '}
                <span className="muted" title={stageSettings(s.config)}>
                  {s.status}
                </span>
              </li>
            ))}
          </ol>
          {chain.message && (
            <p
              className={`notice ${chain.status === 'failed' ? 'notice-error' : 'notice-info'}`}
              data-testid="seg.chain.message"
              role={chain.status === 'failed' ? 'alert' : undefined}
            >
              {chain.message}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
