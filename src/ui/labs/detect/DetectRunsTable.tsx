import { formatWidth } from '../../../protocol';
import { DETECT_ENCODER_SHORT, type DETECT_LAB } from '../../../protocol/labs/detect';
import { lastValue, type RunRecord } from '../../../store';
import { LabRunsSection, startedColumn, statusColumn, type RunColumn } from '../../components/RunsTable';
import { formatCount, formatPercent } from '../../format';
import { modelLinkColumn } from '../data/RunModelLink';

type DetectRunRecord = RunRecord<(typeof DETECT_LAB)['id']>;

const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : formatPercent(v));

/** "transformer L2" / "none". */
const encoderLabel = (r: DetectRunRecord) => `${DETECT_ENCODER_SHORT[r.config.encoder]}${r.config.encoder === 'none' ? '' : ` L${r.config.encoderLayers}`}`;

const COLUMNS: RunColumn<DetectRunRecord>[] = [
  { header: 'Encoder', cell: encoderLabel, testId: 'detect.runs.row.encoder' },
  { header: 'Layers (enc / dec)', cell: (r) => `${r.config.encoder === 'none' ? 0 : r.config.encoderLayers} / ${r.config.decoderLayers}`, className: 'num' },
  { header: 'd', cell: (r) => r.config.d, className: 'num' },
  { header: 'Width', cell: (r) => formatWidth(r.config.width), className: 'num' },
  { header: 'Queries', cell: (r) => r.config.queries, className: 'num' },
  { header: 'Dataset', cell: (r) => r.datasetName },
  { header: 'Steps', cell: (r) => `${r.stepsDone} / ${r.config.steps}`, className: 'num' },
  { header: 'AP@0.5', cell: (r) => pct(lastValue(r.series['test.ap50'])), className: 'num', testId: 'detect.runs.row.ap50' },
  { header: 'AP', cell: (r) => pct(lastValue(r.series['test.ap'])), className: 'num', testId: 'detect.runs.row.ap', title: () => 'AP@[.5:.95], COCO-style' },
  { header: 'Params', cell: (r) => (r.params === null ? '—' : formatCount(r.params)), className: 'num' },
  { header: 'Seed', cell: (r) => r.config.seed, className: 'num' },
  startedColumn(),
  modelLinkColumn(),
  statusColumn(),
];

const label = (r: DetectRunRecord) => `${encoderLabel(r)} d${r.config.d}`;

/** Every ended Detect-lab run: encoder, layers, d, width, steps, AP@0.5, AP, params. */
export function DetectRunsTable() {
  return (
    <LabRunsSection
      lab="detect"
      testId="detect.runs"
      tableTestId="detect.runs.table"
      rowTestId="detect.runs.row"
      columns={COLUMNS}
      label={label}
      empty="No Detect runs yet. Finished and stopped runs appear here."
    />
  );
}
