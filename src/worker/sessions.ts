/** Which training session a lab runs, built from the shared run config. */
import { ClassifyTrainer, PruneTrainer, pruneOptions, type ImageDataset, type TrainingSession } from '../engine';
import type { LabName, TrainConfig } from '../protocol/config';

/** A fresh session of `lab` on `data`. */
export function createLabSession(lab: LabName, config: TrainConfig, data: ImageDataset): TrainingSession {
  return lab === 'prune' ? new PruneTrainer(pruneOptions(config), data) : new ClassifyTrainer(config, data);
}
