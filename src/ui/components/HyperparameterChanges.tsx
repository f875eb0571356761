import type { HyperparamChange } from '../../protocol';
import { formatHp } from '../format';

/** The live changes of a run, each with the step it took effect at ("step 12: lr 0.02 → 0.005"). */
export function HyperparameterChanges({ changes, testId, empty }: { changes: readonly HyperparamChange[]; testId: string; empty?: string }) {
  if (changes.length === 0 && !empty) return null;
  return (
    <section className="hp-changes">
      <h3>Hyperparameter changes</h3>
      {changes.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol className="hp-list" data-testid={testId}>
          {changes.map((m, i) => (
            <li key={i}>
              step {m.step}: {m.key} {formatHp(m.from)} → {formatHp(m.to)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
