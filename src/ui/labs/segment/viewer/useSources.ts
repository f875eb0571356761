/**
 * The viewer's images: uploads and built-in street scenes, which one is selected, label PNGs attached to
 * them, and the last input problem (a bad file never removes what is already there).
 */
import { useCallback, useRef, useState } from 'react';
import { getEngine } from '../../../../client';
import { STREETS_REAL_DATASET_ID, STREET_DATASET_IDS, type DatasetSamples } from '../../../../protocol/datasets';
import type { ViewerLabelFormat } from '../../../../protocol';
import { bitmapFromRgb, decodeImageFile, readLabelFile, type Legend, type LabelReadContext, type ViewerSource } from './fitImage';

/** How many street test scenes the sample picker offers. */
export const SAMPLE_COUNT = 6;

/** How long a label upload waits for the street palette when no model has told the colours yet. */
const PALETTE_WAIT_MS = 15_000;

const withTimeout = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The models a label is read against: their legend (classes and colours) and, for an imported class set, its dataset. */
export interface LabelTarget {
  legend: Legend | null;
  dataset: string | null;
}

export interface Sources {
  sources: ViewerSource[];
  selected: ViewerSource | null;
  select(key: string): void;
  inputError: string | null;
  loading: boolean;
  addFiles(files: File[]): Promise<void>;
  addSample(index: number): Promise<void>;
  /** The label format label PNGs are read in ('auto': detected; see readLabelFile). */
  labelFormat: ViewerLabelFormat;
  /** Attach a label PNG to the selected image, read in the label format against the models shown. */
  setLabels(file: File, target: LabelTarget): Promise<void>;
  /** Choose the label format; the selected image's uploaded label PNG is read again in it (kept as it was if that fails). */
  setLabelFormat(format: ViewerLabelFormat, target: LabelTarget): Promise<void>;
  /** The built-in street scenes (fetched once, on first use). */
  samples(): Promise<DatasetSamples>;
  /** The street scenes' class names and colours, once fetched (the legend when no model tells them). */
  streetLegend: { classNames: string[]; palette: [number, number, number][] } | null;
}

export function useSources(): Sources {
  const [sources, setSources] = useState<ViewerSource[]>([]);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [streetLegend, setStreetLegend] = useState<Sources['streetLegend']>(null);
  const [labelFormat, setFormat] = useState<ViewerLabelFormat>('auto');
  const samplesRef = useRef<Promise<DatasetSamples> | null>(null);
  const nextId = useRef(0);
  const sourcesRef = useRef(sources);
  sourcesRef.current = sources;

  const samples = useCallback(() => {
    if (!samplesRef.current) {
      const p = getEngine().datasetSamples(STREETS_REAL_DATASET_ID, 'test', SAMPLE_COUNT);
      samplesRef.current = p;
      p.then(
        (s) => s.palette && setStreetLegend({ classNames: s.classNames, palette: s.palette }),
        () => (samplesRef.current = null),
      );
    }
    return samplesRef.current;
  }, []);

  const add = useCallback((added: ViewerSource[]) => {
    if (added.length === 0) return;
    setSources((list) => [...list, ...added]);
    setSelectedKey(added[0]!.key);
  }, []);

  const addFiles = useCallback(
    async (files: File[]) => {
      setLoading(true);
      const added: ViewerSource[] = [];
      const problems: string[] = [];
      for (const file of files) {
        try {
          added.push({ key: `upload-${nextId.current++}`, name: file.name, bitmap: await decodeImageFile(file, true), labels: null });
        } catch (err) {
          problems.push(message(err));
        }
      }
      add(added);
      setInputError(problems.length ? problems.join(' ') : null);
      setLoading(false);
    },
    [add],
  );

  const addSample = useCallback(
    async (index: number) => {
      const key = `sample-${index}`;
      if (sourcesRef.current.some((s) => s.key === key)) {
        setSelectedKey(key);
        return;
      }
      setLoading(true);
      try {
        const s = await samples();
        if (index >= s.count) throw new Error(`the street test set has only ${s.count} scenes`);
        const n = s.width * s.height;
        const bitmap = await bitmapFromRgb(s.images.slice(index * n * 3, (index + 1) * n * 3), s.width, s.height);
        const ids = s.labelMaps?.slice(index * n, (index + 1) * n);
        const name = `street scene ${index + 1}`;
        const classes = { format: 'own' as const, how: 'own' as const, classNames: s.classNames, street: null };
        add([{ key, name, bitmap, labels: ids ? { name: `${name} labels`, width: s.width, height: s.height, ids, classes } : null }]);
        setInputError(null);
      } catch (err) {
        setInputError(`The built-in street scene could not be loaded: ${message(err)}`);
      } finally {
        setLoading(false);
      }
    },
    [samples, add],
  );

  const readLabels = useCallback(
    async (file: File, target: LabelTarget, format: ViewerLabelFormat) => {
      const image = sourcesRef.current.find((s) => s.key === selectedKey);
      if (!image) {
        setInputError('Choose an image before adding its label PNG.');
        return;
      }
      const ctx: LabelReadContext = {
        format,
        legend: target.legend,
        dataset: target.dataset && !STREET_DATASET_IDS.includes(target.dataset) ? target.dataset : null,
        fetchLegend: () =>
          withTimeout(samples(), PALETTE_WAIT_MS).then(
            (s) => (s?.palette ? { classNames: s.classNames, palette: s.palette } : null),
            () => null,
          ),
        readInFormat: async (bytes, name, how) => {
          const r = await getEngine().call('segment', 'readLabels', [{ bytes, name, ...how }], [bytes.buffer as ArrayBuffer]);
          if (!r.ok) throw new Error(r.error.message);
          return r;
        },
      };
      try {
        const labels = await readLabelFile(file, image, ctx);
        setSources((list) => list.map((s) => (s.key === image.key ? { ...s, labels } : s)));
        setInputError(null);
      } catch (err) {
        setInputError(message(err));
      }
    },
    [selectedKey, samples],
  );

  const setLabels = useCallback((file: File, target: LabelTarget) => readLabels(file, target, labelFormat), [readLabels, labelFormat]);

  const setLabelFormat = useCallback(
    async (format: ViewerLabelFormat, target: LabelTarget) => {
      setFormat(format);
      const file = sourcesRef.current.find((s) => s.key === selectedKey)?.labels?.file;
      if (file) await readLabels(file, target, format);
    },
    [readLabels, selectedKey],
  );

  const selected = sources.find((s) => s.key === selectedKey) ?? null;
  return { sources, selected, select: setSelectedKey, inputError, loading, addFiles, addSample, labelFormat, setLabels, setLabelFormat, samples, streetLegend };
}
