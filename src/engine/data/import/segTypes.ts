/** The segmentation dataset types the pair importer produces (defined once in ../segDataset). */
export type { SegColour, SegDataset, SegSplit } from '../segDataset';
