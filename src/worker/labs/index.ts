/** The worker's lab list: one factory per lab (adding a lab adds one entry). */
import type { LabName } from '../../protocol/labs';
import { affinityLab, type AffinityLabOptions } from './affinity';
import { detectLab, type DetectLabOptions } from './detect';
import { pruneLab } from './prune';
import { segmentLab, type SegmentLabOptions } from './segment';
import { trainLab } from './train';
import type { LabContext, WorkerLab } from './types';

/** Options a test may pass to a lab's factory. */
export interface WorkerLabOptions {
  segment?: SegmentLabOptions;
  affinity?: AffinityLabOptions;
  detect?: DetectLabOptions;
}

export type WorkerLabs = { [L in LabName]: WorkerLab<L> };

/** Build every lab's worker side on the shared services. */
export function createWorkerLabs(ctx: LabContext, opts: WorkerLabOptions = {}): WorkerLabs {
  return {
    train: trainLab(ctx),
    prune: pruneLab(ctx),
    segment: segmentLab(ctx, opts.segment),
    affinity: affinityLab(ctx, opts.affinity),
    detect: detectLab(ctx, opts.detect),
  };
}

export type { RunPlan, LabContext, WorkerLab } from './types';
