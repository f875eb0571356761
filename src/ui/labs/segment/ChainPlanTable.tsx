import { useEffect, useState } from 'react';
import { SEGMENT_LAB, type SegConfig, type SegZooInfo } from '../../../protocol/labs/segment';
import { formatCount } from '../../format';
import {
  CHAIN_STAGES,
  planSetsAnything,
  runsSecondPhase,
  shippedPlan,
  stageConfig,
  stageTakes,
  type ChainPlan,
  type ChainStageId,
  type StageSettings,
} from './chain';

const F = SEGMENT_LAB.fields;

type NumberKey = 'steps' | 'lr' | 'lovaszWeight' | 'seed';

/**
 * One stage's number setting: typed freely, set when it is a value the lab accepts (else marked and not set). An optional
 * one (the second phase's steps) may be cleared: the stage then does not run.
 */
function PlanNumber(props: {
  id: ChainStageId;
  field: NumberKey;
  value: number | null;
  own: boolean;
  label: string;
  optional?: boolean;
  onSet(v: number | undefined): void;
}) {
  const f = F[props.field];
  const integer = 'integer' in f && f.integer === true;
  const shown = props.value === null ? '' : String(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const accepts = (t: string) => {
    const n = Number(t);
    return t.trim() !== '' && Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= f.min && n <= f.max;
  };
  const ok = accepts(text) || (props.optional === true && text.trim() === '');
  const range = `${integer ? 'A whole number' : 'A number'} from ${f.min} to ${formatCount(f.max)}`;
  return (
    <input
      type="number"
      className={props.own ? 'seg-plan-own' : undefined}
      aria-label={props.label}
      aria-invalid={!ok}
      placeholder={props.optional ? 'off' : undefined}
      title={
        ok
          ? props.optional
            ? 'Empty: the stage does not run.'
            : undefined
          : `${range}${props.optional ? ', or empty (the stage does not run)' : ''}; the stage keeps ${shown || 'off'} until then.`
      }
      data-testid={`seg.chain.plan.${props.id}.${props.field}`}
      min={f.min}
      max={f.max}
      step={integer ? 1 : 'any'}
      value={text}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        if (accepts(t)) props.onSet(Number(t));
        else if (props.optional && t.trim() === '') props.onSet(undefined);
      }}
      onBlur={() => setText(shown)}
    />
  );
}

const AFFINITY_SHORT: Record<StageSettings['affinityLoss'], string> = { none: 'none', fa: 'FA', ffa: 'FFA' };

/** One stage's choice of a menu setting (its values in the lab's order, a value set for the stage in bold). */
function PlanSelect<K extends 'classBalance' | 'affinityLoss' | 'teacherHead'>(props: {
  id: ChainStageId;
  field: K;
  label: string;
  own: boolean;
  value: StageSettings[K];
  names: Record<StageSettings[K], string>;
  onSet(v: StageSettings[K]): void;
}) {
  const options = F[props.field].options as unknown as readonly StageSettings[K][];
  return (
    <select
      aria-label={props.label}
      className={props.own ? 'seg-plan-own' : undefined}
      data-testid={`seg.chain.plan.${props.id}.${props.field}`}
      value={props.value}
      onChange={(e) => props.onSet(e.target.value as StageSettings[K])}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {props.names[o]}
        </option>
      ))}
    </select>
  );
}

const NOT_TAKEN: Record<'affinityLoss' | 'teacherHead', string> = {
  affinityLoss: 'The teacher trains on labels alone: no source to match features with.',
  teacherHead: 'Only the teacher has this head.',
};
const HEAD_SHORT: Record<StageSettings['teacherHead'], string> = { plain: '1/4', refined: '1/4 + 1/2', full: '1/4 + 1/2 + 1' };

/**
 * Each stage's steps, class balancing, affinity term, learning rate, Lovász-softmax weight, teacher head and seed: the form's
 * unless set here (a set value is bold); the teacher's second phase takes its first phase's, and runs when its steps are
 * set. "Shipped recipe" fills the table from the zoo's shipped models (their steps and manifest entries, the shipped
 * teacher's second phase included), "As the form" clears it.
 */
export function ChainPlanTable(props: {
  form: SegConfig;
  plan: ChainPlan;
  zoo: SegZooInfo | null;
  onChange(plan: ChainPlan): void;
  name(id: ChainStageId, config: SegConfig): string;
}) {
  const { form, plan, onChange } = props;
  const recipe = shippedPlan(props.zoo, form.size);
  const shippedTeacher = props.zoo?.entries.find((e) => e.slot === 'teacher' && e.origin === 'shipped')?.recipe;
  const shippedWidth = shippedTeacher?.teacherWidth;
  const finetune = shippedTeacher?.finetune;
  const set = <K extends keyof StageSettings>(id: ChainStageId, key: K, value: StageSettings[K] | undefined) => {
    const p = { ...plan[id], [key]: value };
    if (value === undefined) delete p[key];
    onChange({ ...plan, [id]: p });
  };
  const own = (id: ChainStageId, key: keyof StageSettings) => plan[id]?.[key] !== undefined;
  const second = runsSecondPhase(plan);
  const notTaken = (key: 'affinityLoss' | 'teacherHead') => (
    <span className="muted" title={NOT_TAKEN[key]}>
      —
    </span>
  );
  return (
    <div className="seg-chain-plan-table" data-testid="seg.chain.planTable">
      <table>
        <thead>
          <tr>
            <th scope="col">stage</th>
            <th scope="col">{F.steps.label.toLowerCase()}</th>
            <th scope="col">{F.classBalance.label.toLowerCase()}</th>
            <th scope="col">{F.affinityLoss.label.replace(/^Affinity/, 'affinity')}</th>
            <th scope="col">{F.lr.label.toLowerCase()}</th>
            <th scope="col">Lovász weight</th>
            <th scope="col">{F.teacherHead.label.toLowerCase()}</th>
            <th scope="col" title="The seed of the stage's initial weights and batch order">
              {F.seed.label.toLowerCase()}
            </th>
          </tr>
        </thead>
        <tbody>
          {CHAIN_STAGES.map((id) => {
            const c = stageConfig(form, plan, id);
            const name = props.name(id, c);
            const off = id === 'teacher-finetune' && !second;
            return (
              <tr key={id} data-stage={id} className={off ? 'seg-plan-off' : undefined}>
                <th
                  scope="row"
                  title={
                    id === 'teacher-finetune'
                      ? 'Trains on from the first phase’s weights (the zoo’s teacher), a fresh poly schedule from its lr, as the shipped teacher’s second phase. Runs when its steps are set.'
                      : undefined
                  }
                >
                  {name}
                </th>
                <td>
                  <PlanNumber
                    id={id}
                    field="steps"
                    label={`${name}: training steps`}
                    value={off ? null : c.steps}
                    own={own(id, 'steps')}
                    optional={id === 'teacher-finetune'}
                    onSet={(v) => set(id, 'steps', v)}
                  />
                </td>
                <td>
                  <PlanSelect
                    id={id}
                    field="classBalance"
                    label={`${name}: ${F.classBalance.label.toLowerCase()}`}
                    own={own(id, 'classBalance')}
                    value={c.classBalance}
                    names={F.classBalance.optionLabels}
                    onSet={(v) => set(id, 'classBalance', v)}
                  />
                </td>
                <td>
                  {stageTakes(id, 'affinityLoss') ? (
                    <PlanSelect
                      id={id}
                      field="affinityLoss"
                      label={`${name}: affinity term`}
                      own={own(id, 'affinityLoss')}
                      value={c.affinityLoss}
                      names={AFFINITY_SHORT}
                      onSet={(v) => set(id, 'affinityLoss', v)}
                    />
                  ) : (
                    notTaken('affinityLoss')
                  )}
                </td>
                <td>
                  <PlanNumber id={id} field="lr" label={`${name}: learning rate`} value={c.lr} own={own(id, 'lr')} onSet={(v) => set(id, 'lr', v)} />
                </td>
                <td>
                  <PlanNumber
                    id={id}
                    field="lovaszWeight"
                    label={`${name}: Lovász-softmax weight`}
                    value={c.lovaszWeight}
                    own={own(id, 'lovaszWeight')}
                    onSet={(v) => set(id, 'lovaszWeight', v)}
                  />
                </td>
                <td>
                  {stageTakes(id, 'teacherHead') ? (
                    <PlanSelect
                      id={id}
                      field="teacherHead"
                      label={`${name}: teacher head`}
                      own={own(id, 'teacherHead')}
                      value={c.teacherHead}
                      names={HEAD_SHORT}
                      onSet={(v) => set(id, 'teacherHead', v)}
                    />
                  ) : (
                    notTaken('teacherHead')
                  )}
                </td>
                <td>
                  <PlanNumber id={id} field="seed" label={`${name}: seed`} value={c.seed} own={own(id, 'seed')} onSet={(v) => set(id, 'seed', v)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="controls">
        <button
          type="button"
          data-testid="seg.chain.plan.shipped"
          disabled={recipe === null}
          title={
            recipe
              ? `Each stage’s settings as the shipped zoo was trained (from its manifest)${finetune ? `, the teacher’s second phase included: ${finetune.steps.toLocaleString('en-US')} more steps from its own weights at learning rate ${finetune.lr}${finetune.lovaszWeight > 0 ? ` with the Lovász-softmax weight ${finetune.lovaszWeight}` : ''}${finetune.addsRefine ? `, adding the refinement head at 1/2${finetune.addsRefineFull ? ' and the full-resolution stage' : ''}` : finetune.addsRefineFull ? ', adding the full-resolution stage' : ''}` : ''}. The form’s other settings stay${shippedWidth ? `: the shipped teacher has width ${shippedWidth} (the form’s Teacher width), and its training-image count is in the README` : ' (the README names the shipped zoo’s)'}.`
              : 'The zoo holds no shipped model now (“Restore shipped models” brings them back).'
          }
          onClick={() => recipe && onChange(recipe)}
        >
          Shipped recipe
        </button>
        <button
          type="button"
          data-testid="seg.chain.plan.form"
          disabled={!planSetsAnything(plan)}
          title="Every stage takes the form’s settings; the teacher’s second phase does not run"
          onClick={() => onChange({})}
        >
          As the form
        </button>
      </div>
    </div>
  );
}
