/** Run statuses of the Segment lab's UI. */
import type { RunStatus } from '../../../protocol';

const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'paused'];

/** Whether a run with this status holds the engine (Start is off, structure settings lock). */
export function isActive(status: RunStatus | undefined | null): boolean {
  return status != null && ACTIVE.includes(status);
}
