/**
 * How the Segment viewer scores a label PNG against the models it shows (issue #15 item 6): the ids as they are when
 * the label's classes are the models' own, mapped onto the 8 street classes by the engine's name mapping
 * (engine/metrics/realSeg.ts, sent with the label by the worker's `segment.readLabels`) when the models use those, and
 * otherwise not scored. Each outcome comes with the one sentence the page shows. Shared by the viewer and its tests.
 */
import { SEG_LABEL_FORMAT_NAMES, type SegLabelFormat } from './datasets';
import { centreCrop, nearestResize } from './fit';
import { sameClassSet, type SegLabelsRead } from './labs/segment';

/** The class id no metric counts. */
const IGNORE = 255;

/** The label formats the viewer's label control offers: detect, one of the importer's formats, or the models' own ids / colours. */
export type ViewerLabelFormat = 'auto' | 'own' | SegLabelFormat;

/** What a label map's ids mean. */
export interface LabelClasses {
  /** The importer's format the PNG was read in, or 'own': the class ids / legend colours of a model class set. */
  format: SegLabelFormat | 'own';
  /** How the format was settled: detected from the file, chosen by the user, the imported dataset's own, or the models' own ids. */
  how: 'detected' | 'chosen' | 'dataset' | 'own';
  /** The classes the ids name (id = index). */
  classNames: string[];
  /** The worker's mapping onto the street classes (null for 'own'). */
  street: SegLabelsRead['street'] | null;
}

/** The viewer's reading of a label against the models shown. */
export interface LabelMapping {
  /** Whether the labels score the models (mIoU and pixel accuracy are shown). */
  scored: boolean;
  /** Label id → model class id (255 = ignore), or null when the ids are the models' own. */
  table: Uint8Array | null;
  /** One sentence for the page: what was read, which mapping was applied, or why nothing is scored. */
  text: string;
}

const HOW: Record<LabelClasses['how'], string> = { detected: 'auto-detected', chosen: 'as chosen', dataset: "the dataset's own format", own: '' };

/** "CamVid 11-class (auto-detected)" — what a label was read as. */
export function labelReadAs(label: Pick<LabelClasses, 'format' | 'how'>): string {
  if (label.format === 'own') return 'class ids / legend colours of the models';
  return `${SEG_LABEL_FORMAT_NAMES[label.format]} (${HOW[label.how]})`;
}

/** "a, b and c"; "a" for one. */
function listText(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The mapping by name, for the page: "Pavement → sidewalk; Tree → vegetation; Pedestrian, Bicyclist → person; Sky, Building,
 * Road, Car and Pole as they are; ignored (not scored): SignSymbol, Fence and unlabelled pixels".
 */
export function describeMapping(labelClasses: readonly string[], table: Uint8Array, modelClasses: readonly string[]): string {
  const renamed: string[] = [];
  const kept: string[] = [];
  modelClasses.forEach((target, t) => {
    const sources = labelClasses.filter((_, i) => table[i] === t);
    const others = sources.filter((s) => s.toLowerCase() !== target.toLowerCase());
    kept.push(...sources.filter((s) => !others.includes(s)));
    if (others.length) renamed.push(`${others.join(', ')} → ${target}`);
  });
  const ignored = labelClasses.filter((_, i) => table[i] === IGNORE);
  const parts = [...renamed];
  if (kept.length) parts.push(`${listText(kept)} as ${kept.length === 1 ? 'it is' : 'they are'}`);
  parts.push(`ignored (not scored): ${listText([...ignored, 'unlabelled pixels'])}`);
  return parts.join('; ');
}

/**
 * How the label `name` (ids in `label`'s classes) scores models trained on `models.classNames` (`models.name`: their
 * dataset, for the sentence): directly when the classes are the same, through the street mapping when the models use
 * the street classes and the format maps (VOC is refused with the engine's sentence), else not at all.
 */
export function labelMapping(label: LabelClasses, name: string, models: { classNames: readonly string[]; name: string }): LabelMapping {
  const readAs = labelReadAs(label);
  if (sameClassSet(label.classNames, models.classNames)) {
    const text =
      label.format === 'own'
        ? `${name}: read as the models' class ids / legend colours.`
        : `${name}: read as ${readAs}, the models' own classes: ids used as they are.`;
    return { scored: true, table: null, text };
  }
  const street = label.street;
  if (street && sameClassSet(street.classNames, models.classNames)) {
    if (!street.table)
      return { scored: false, table: null, text: `${name}: read as ${readAs}. ${street.refusal ?? 'It does not map onto the street classes.'}` };
    return {
      scored: true,
      table: street.table,
      text: `${name}: read as ${readAs}, mapped onto the street classes by name: ${describeMapping(label.classNames, street.table, models.classNames)}.`,
    };
  }
  const theirs = `the ${models.classNames.length} classes of the models shown (${models.name})`;
  if (label.format === 'own') {
    const some = label.classNames.slice(0, 3).join(', ') + (label.classNames.length > 3 ? ', …' : '');
    return {
      scored: false,
      table: null,
      text: `${name}: ids of other models' ${label.classNames.length} classes (${some}), not ${theirs}: not scored.`,
    };
  }
  const onlyStreet = street?.table ? ', and it maps only onto the 8 street classes' : '';
  return {
    scored: false,
    table: null,
    text: `${name}: read as ${readAs}, whose ${label.classNames.length} classes are not ${theirs}${onlyStreet}: not scored.`,
  };
}

/** Label ids through a mapping table (null: unchanged). */
export function applyLabelTable(ids: Uint8Array, table: Uint8Array | null): Uint8Array {
  if (!table) return ids;
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = table[ids[i]!]!;
  return out;
}

/**
 * A label map fitted to width × height as the evaluator fits labels (the centred crop of the label's own size, then
 * nearest), then mapped onto the models' classes; null when the mapping scores nothing.
 */
export function fitLabels(
  labels: { width: number; height: number; ids: Uint8Array },
  mapping: Pick<LabelMapping, 'scored' | 'table'> | null,
  width: number,
  height: number,
): Uint8Array | null {
  if (!mapping?.scored) return null;
  const rect = centreCrop(labels.width, labels.height, width / height);
  return applyLabelTable(nearestResize(labels.ids, labels.width, rect, width, height), mapping.table);
}
