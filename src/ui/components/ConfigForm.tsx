import { memo, type ReactNode } from 'react';
import { getEngine } from '../../client';
import { labSpec, type EnumField, type Field, type LabConfig, type LabName, type LiveHyperparams, type NumberSpec } from '../../protocol';
import { useWorkbench } from '../../store';
import { useLabActive, useLabConfig } from '../runStatus';
import { ParamField } from './ParamField';

/**
 * A live hyperparameter change for the lab's run: sent to the engine (which applies it and records its marker) while the
 * lab's run is active and the engine is ready; otherwise nothing (the form's config alone holds the value for the next run).
 */
export function useSendLive(lab: LabName): (partial: Partial<LiveHyperparams>) => void {
  const active = useLabActive(lab);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  return (partial) => {
    if (active && engineReady) void getEngine().setHyperparams(lab, partial);
  };
}

/** One entry of a settings form: a field of the lab's spec, a heading, a control of the lab's own, or a collapsed group. */
export type FormItem<C> =
  { field: keyof C & string; id?: string; hint?: string } | { heading: string } | { node: ReactNode; key: string } | { details: string; items: FormItem<C>[] };

/** What a lab may say about a field given the config: a hint (a warning when `warn`) and whether it is off. */
export interface FieldState {
  hint?: string;
  warn?: boolean;
  disabled?: boolean;
  /** A choice field: the values offered now (a subset of the spec's), and labels that replace the spec's. */
  options?: readonly string[];
  optionLabels?: Readonly<Record<string, string>>;
}

interface Props<L extends LabName> {
  lab: L;
  ariaLabel: string;
  /** The form's layout for the current config and whether the lab's run is active. */
  items(config: LabConfig<L>, active: boolean): FormItem<LabConfig<L>>[];
  /** The test id of a field's control (default `hp.<key>`). */
  idOf?(key: string): string;
  fieldState?(key: keyof LabConfig<L> & string, config: LabConfig<L>, active: boolean): FieldState | undefined;
  /** Turn a user's change into the change to apply (e.g. a model switch that also fixes the chain). */
  adjust?(change: Partial<LabConfig<L>>, config: LabConfig<L>): Partial<LabConfig<L>>;
}

const isNumber = (f: Field): f is NumberSpec => !('kind' in f);

function Select(props: { id: string; field: EnumField; value: string; disabled: boolean; state?: FieldState | undefined; onChange(v: string): void }) {
  const { id, field, state } = props;
  return (
    <div className="field">
      <label htmlFor={`f-${id}`}>{field.label}</label>
      <select id={`f-${id}`} data-testid={id} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)}>
        {(state?.options ?? field.options).map((o) => (
          <option key={o} value={o}>
            {state?.optionLabels?.[o] ?? field.optionLabels?.[o] ?? o}
          </option>
        ))}
      </select>
      <FieldHint id={id} state={state} />
    </div>
  );
}

/** A field's hint under it, or its warning (test id `<id>.warning`). */
function FieldHint({ id, state }: { id: string; state?: FieldState | undefined }) {
  if (!state?.hint) return null;
  return (
    <p className={state.warn ? 'field-error' : 'field-hint'} data-testid={state.warn ? `${id}.warning` : undefined}>
      {state.hint}
    </p>
  );
}

/**
 * A lab's settings, rendered from its spec: numbers as ParamFields (live ones with sliders, sent to the
 * worker at once while the lab's run goes), choices as menus, switches as checkboxes. Structural settings
 * lock while the lab's run is active.
 */
function ConfigFormInner<L extends LabName>({ lab, ariaLabel, items, idOf = (k) => `hp.${k}`, fieldState, adjust }: Props<L>) {
  const config = useLabConfig(lab);
  const setConfig = useWorkbench((s) => s.setConfig);
  const active = useLabActive(lab);
  const fields = labSpec(lab).fields as Readonly<Record<string, Field>>;
  const change = (partial: Partial<LabConfig<L>>) => setConfig(lab, adjust ? adjust(partial, config) : partial);
  const sendLive = useSendLive(lab);

  const render = (item: FormItem<LabConfig<L>>, i: number): ReactNode => {
    if ('heading' in item) return <h3 key={`h${i}`}>{item.heading}</h3>;
    if ('node' in item) return <div key={item.key}>{item.node}</div>;
    if ('details' in item)
      return (
        <details key={`d${i}`}>
          <summary>{item.details}</summary>
          {item.items.map(render)}
        </details>
      );
    const key = item.field;
    const f = fields[key]!;
    const id = item.id ?? idOf(key);
    const state = fieldState?.(key, config, active);
    const hint = state?.hint ?? item.hint;
    const value = (config as Record<string, unknown>)[key];
    if (isNumber(f)) {
      const live = f.live === true;
      return (
        <ParamField
          key={key}
          id={id}
          spec={f}
          value={value as number}
          disabled={(active && !live) || Boolean(state?.disabled)}
          onCommit={(v) => {
            change({ [key]: v } as Partial<LabConfig<L>>);
            if (live) sendLive({ [key]: v } as Partial<LiveHyperparams>);
          }}
          {...(hint ? { hint } : {})}
        />
      );
    }
    if (f.kind === 'enum')
      return (
        <Select
          key={key}
          id={id}
          field={f}
          value={value as string}
          disabled={active || Boolean(state?.disabled)}
          state={hint ? { ...state, hint } : state}
          onChange={(v) => change({ [key]: v } as Partial<LabConfig<L>>)}
        />
      );
    if (f.kind === 'boolean')
      return (
        <div className="field" key={key}>
          <label className="check">
            <input
              type="checkbox"
              data-testid={id}
              checked={value as boolean}
              disabled={active || Boolean(state?.disabled)}
              onChange={(e) => change({ [key]: e.target.checked } as Partial<LabConfig<L>>)}
            />{' '}
            {f.label}
          </label>
          <FieldHint id={id} state={hint ? { ...state, hint } : state} />
        </div>
      );
    return null; // id fields (datasets) are lab controls: pass them as nodes
  };

  return (
    <form className="config" onSubmit={(e) => e.preventDefault()} aria-label={ariaLabel}>
      {items(config, active).map(render)}
    </form>
  );
}

export const ConfigForm = memo(ConfigFormInner) as typeof ConfigFormInner;
