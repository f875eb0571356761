/** The tab list: one entry per lab (plus the Data tab). Adding a lab adds one entry here. */
import type { ComponentType } from 'react';
import { AffinityLab } from './affinity/AffinityLab';
import { DataLab } from './data/DataLab';
import { DetectLab } from './detect/DetectLab';
import { PruneLab } from './prune/PruneLab';
import { SegmentLab } from './segment/SegmentLab';
import type { TabProps } from './tab';
import { TrainLab } from './train/TrainLab';

export interface TabSpec {
  /** The `?lab=` value; a lab's tab has its lab's name. */
  id: string;
  label: string;
  Component: ComponentType<TabProps>;
}

export const TABS: readonly TabSpec[] = [
  { id: 'train', label: 'Train', Component: TrainLab },
  { id: 'prune', label: 'Prune', Component: PruneLab },
  { id: 'segment', label: 'Segment', Component: SegmentLab },
  { id: 'affinity', label: 'Affinity', Component: AffinityLab },
  { id: 'detect', label: 'Detect', Component: DetectLab },
  { id: 'data', label: 'Data', Component: DataLab },
];

/** The tab a link without `?lab=` opens. */
export const DEFAULT_TAB = 'train';
