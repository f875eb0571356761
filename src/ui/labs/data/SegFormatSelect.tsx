import { SEG_LABEL_FORMATS, SEG_LABEL_FORMAT_NAMES, type SegLabelFormat } from '../../../protocol/datasets';

/** The label format of a segmentation import: detected from the first label PNG, or one named format. */
export type SegFormatChoice = 'auto' | SegLabelFormat;

/** What each format's label PNGs hold, for the option text. */
export const FORMAT_HINTS: Readonly<Record<SegLabelFormat, string>> = {
  camvid11: 'grey values 0–10, 11 = void',
  camvid32: 'colour PNGs (_L) or codes (_P)',
  cityscapes: '_gtFine_labelIds.png',
  'cityscapes-trainids': '_gtFine_labelTrainIds.png',
  voc: 'SegmentationClass palette PNGs',
};

/** A select of the label format of a segmentation import (auto-detect by default). */
export function SegFormatSelect({ value, onChange }: { value: SegFormatChoice; onChange(v: SegFormatChoice): void }) {
  return (
    <label className="inline-field" style={{ flexWrap: 'wrap', width: '100%' }}>
      Label format{' '}
      <select
        style={{ width: '100%', minWidth: 0 }}
        data-testid="data.import.segFormat"
        value={value}
        onChange={(e) => onChange((SEG_LABEL_FORMATS as readonly string[]).includes(e.target.value) ? (e.target.value as SegLabelFormat) : 'auto')}
      >
        <option value="auto">auto-detect</option>
        {SEG_LABEL_FORMATS.map((f) => (
          <option key={f} value={f}>
            {`${SEG_LABEL_FORMAT_NAMES[f]} (${FORMAT_HINTS[f]})`}
          </option>
        ))}
      </select>
    </label>
  );
}
