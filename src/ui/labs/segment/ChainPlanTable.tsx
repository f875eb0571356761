import { useEffect, useState } from 'react';
import { SEGMENT_LAB, type SegConfig, type SegSlot, type SegZooInfo } from '../../../protocol/labs/segment';
import { formatCount } from '../../format';
import { chainStageConfigs, CHAIN_STAGES, planSetsAnything, shippedPlan, type ChainPlan, type StageSettings } from './chain';

const F = SEGMENT_LAB.fields;

/** The steps of one stage: typed freely, set when it is a whole number the lab accepts (else marked and not set). */
function StepsInput(props: { slot: SegSlot; value: number; own: boolean; onSet(steps: number): void; name: string }) {
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const n = Number(text);
  const ok = text.trim() !== '' && Number.isInteger(n) && n >= F.steps.min && n <= F.steps.max;
  return (
    <input
      type="number"
      className={props.own ? 'seg-plan-own' : undefined}
      aria-label={`${props.name}: training steps`}
      aria-invalid={!ok}
      title={ok ? undefined : `A whole number from ${F.steps.min} to ${formatCount(F.steps.max)}; the stage keeps ${formatCount(props.value)} until then.`}
      data-testid={`seg.chain.plan.${props.slot}.steps`}
      min={F.steps.min}
      max={F.steps.max}
      step={1}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const v = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isInteger(v) && v >= F.steps.min && v <= F.steps.max) props.onSet(v);
      }}
      onBlur={() => setText(String(props.value))}
    />
  );
}

const AFFINITY_SHORT: Record<StageSettings['affinityLoss'], string> = { none: 'none', fa: 'FA', ffa: 'FFA' };

/** One stage's choice of a menu setting (its values in the lab's order, a value set for the stage in bold). */
function PlanSelect<K extends 'classBalance' | 'affinityLoss'>(props: {
  slot: SegSlot;
  field: K;
  label: string;
  own: boolean;
  value: StageSettings[K];
  names: Record<StageSettings[K], string>;
  onSet(v: StageSettings[K]): void;
}) {
  const options = F[props.field].options as readonly StageSettings[K][];
  return (
    <select
      aria-label={props.label}
      className={props.own ? 'seg-plan-own' : undefined}
      data-testid={`seg.chain.plan.${props.slot}.${props.field}`}
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

/**
 * Each stage's steps, class balancing and affinity term: the form's unless set here (a set value is bold). "Shipped
 * recipe" fills the table from the zoo's shipped models (their steps and manifest entries), "As the form" clears it.
 */
export function ChainPlanTable(props: {
  form: SegConfig;
  plan: ChainPlan;
  zoo: SegZooInfo | null;
  onChange(plan: ChainPlan): void;
  name(slot: SegSlot, config: SegConfig): string;
}) {
  const { form, plan, onChange } = props;
  const stages = chainStageConfigs(form, plan);
  const recipe = shippedPlan(props.zoo, form.size);
  const shippedTeacher = props.zoo?.entries.find((e) => e.slot === 'teacher' && e.origin === 'shipped')?.recipe;
  const shippedWidth = shippedTeacher?.teacherWidth;
  const finetune = shippedTeacher?.finetune;
  const set = <K extends keyof StageSettings>(slot: SegSlot, key: K, value: StageSettings[K]) => onChange({ ...plan, [slot]: { ...plan[slot], [key]: value } });
  const own = (slot: SegSlot, key: keyof StageSettings) => plan[slot]?.[key] !== undefined;
  return (
    <div className="seg-chain-plan-table" data-testid="seg.chain.planTable">
      <table>
        <thead>
          <tr>
            <th scope="col">stage</th>
            <th scope="col">{F.steps.label.toLowerCase()}</th>
            <th scope="col">{F.classBalance.label.toLowerCase()}</th>
            <th scope="col">{F.affinityLoss.label.replace(/^Affinity/, 'affinity')}</th>
          </tr>
        </thead>
        <tbody>
          {CHAIN_STAGES.map((slot, i) => {
            const c = stages[i]!;
            const name = props.name(slot, c);
            return (
              <tr key={slot} data-slot={slot}>
                <th scope="row">{name}</th>
                <td>
                  <StepsInput slot={slot} name={name} value={c.steps} own={own(slot, 'steps')} onSet={(v) => set(slot, 'steps', v)} />
                </td>
                <td>
                  <PlanSelect
                    slot={slot}
                    field="classBalance"
                    label={`${name}: ${F.classBalance.label.toLowerCase()}`}
                    own={own(slot, 'classBalance')}
                    value={c.classBalance}
                    names={F.classBalance.optionLabels}
                    onSet={(v) => set(slot, 'classBalance', v)}
                  />
                </td>
                <td>
                  {slot === 'teacher' ? (
                    <span className="muted" title="The teacher trains on labels alone: no source to match features with.">
                      —
                    </span>
                  ) : (
                    <PlanSelect
                      slot={slot}
                      field="affinityLoss"
                      label={`${name}: affinity term`}
                      own={own(slot, 'affinityLoss')}
                      value={c.affinityLoss}
                      names={AFFINITY_SHORT}
                      onSet={(v) => set(slot, 'affinityLoss', v)}
                    />
                  )}
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
              ? `Each stage’s steps, class balancing and affinity term as the shipped zoo was trained (from its manifest). The form’s other settings stay${shippedWidth ? `: the shipped teacher has width ${shippedWidth} (the form’s Teacher width), and its training-image count is in the README` : ' (the README names the shipped zoo’s)'}.${finetune ? ` The shipped teacher then trained ${finetune.steps.toLocaleString('en-US')} more steps from its own weights at learning rate ${finetune.lr}${finetune.lovaszWeight > 0 ? ` with the Lovász-softmax weight ${finetune.lovaszWeight}` : ''}${finetune.addsRefine ? ', adding the refinement head at 1/2 (the form’s Teacher head: refined)' : ''} (a second phase of npm run pretrain:segment), which the chain’s teacher stage does not run.` : ''}`
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
          title="Every stage takes the form’s steps, class balancing and affinity term"
          onClick={() => onChange({})}
        >
          As the form
        </button>
      </div>
    </div>
  );
}
