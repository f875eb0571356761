/** Prune-lab results that cross the worker seam: compaction, export and loading a compact model back. */

export interface ModelFigures {
  params: number;
  /** Multiply-accumulates per image (convs + dense). */
  macs: number;
  /** Median inference time of one batch, measured on the engine's backend. */
  latencyMs: number;
}

export interface CompactionReport {
  runId: string;
  /** The masked network: the trained model with its zero groups (u for RGSM). */
  before: ModelFigures;
  /** The physically smaller network. */
  after: ModelFigures;
  /** Max |compact − masked| over the logits of one test batch (eval mode). */
  maxAbsDiff: number;
  batchSize: number;
  /** Channels per conv layer before and after. */
  layers: { name: string; before: number; after: number }[];
  /** Test accuracy of the compact network over the whole test split. */
  testAccuracy: number;
  backend: string;
}

/** A compact model in tfjs weights format: model.json text and weights.bin bytes. */
export interface ExportedModel {
  fileBase: string;
  modelJson: string;
  weights: ArrayBuffer;
}

/** What loading a model back reports. */
export interface LoadedModelReport {
  name: string;
  params: number;
  macs: number;
  convChannels: number[];
  /** Test accuracy on the dataset it was evaluated on, or null when the class count does not match. */
  testAccuracy: number | null;
  datasetName: string;
  note?: string;
}
