import { useEffect, useState } from 'react';
import { getEngine } from '../../../client';
import {
  SEG_CHAIN_LABELS,
  SEG_SIZES,
  SEG_SIZE_PIXELS,
  UPSCALE_LABELS,
  UPSCALE_SHORT,
  type SegChain,
  type SegSizeName,
  type SegSlot,
  type SegZooEntry,
  type SegZooInfo,
} from '../../../protocol/labs/segment';
import type { ModelInfo } from '../../../protocol/models';
import { useWorkbench } from '../../../store';
import { useLabActive } from '../../runStatus';
import { formatCount, formatPercent } from '../../format';
import { pixelShuffleOverhead, SLOT_LABELS, sizeLabel, zooRows } from './segView';

const chainLabel = (c: string) => (c in SEG_CHAIN_LABELS ? SEG_CHAIN_LABELS[c as SegChain] : c);
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${formatCount(Math.abs(n))}`;
const signedPct = (f: number) => `${f >= 0 ? '+' : '−'}${formatPercent(Math.abs(f), 2)}`;

/** The slot menu's choices at a size: "shipped" where shipped weights exist, then every library model of the slot and size. */
function candidates(zoo: SegZooInfo | null, models: ModelInfo[], size: SegSizeName, slot: SegSlot) {
  const { height, width } = SEG_SIZE_PIXELS[size];
  const shipped = zoo?.shipped?.some((s) => s.size === size && s.slot === slot) ?? false;
  const library = models.filter(
    (m) => !m.shipped && m.lab === 'segment' && m.provenance.slot === slot && m.inputSize.height === height && m.inputSize.width === width,
  );
  return { shipped, library };
}

/** What the slot menu shows as chosen: the held library model, "shipped", or nothing (a run's model not kept yet, or an empty slot). */
const pickOf = (e: SegZooEntry | null) => (e?.modelId ? e.modelId : e?.origin === 'shipped' ? 'shipped' : '');

const modelLabel = (m: ModelInfo) =>
  `${m.name} · ${m.metric.value === null ? 'mIoU —' : `${formatPercent(m.metric.value)} mIoU`} · ${new Date(m.createdAt).toLocaleString()}`;

/** The worker's trained models per slot at one input size: size, cost, mIoU and where they came from; plus PixelShuffle's overhead. */
export function ModelZooTable() {
  const zoo = useWorkbench((s) => s.labData.segment?.zoo ?? null);
  const datasets = useWorkbench((s) => s.datasets);
  const datasetName = (id: string) => datasets.find((d) => d.id === id)?.name ?? id;
  const configSize = useWorkbench((s) => s.configs.segment.size);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const addNotice = useWorkbench((s) => s.addNotice);
  const setPush = useWorkbench((s) => s.setPush);
  const segActive = useLabActive('segment');
  const models = useWorkbench((s) => s.models);
  const [picking, setPicking] = useState(false);
  const pick = (slot: SegSlot, modelId: string) => {
    if (!modelId) return;
    setPicking(true);
    void getEngine()
      .call('segment', 'useInZoo', [size, slot, modelId])
      .then(
        (r) => (r.ok ? setPush({ lab: 'segment', name: 'zoo', value: r.zoo }) : addNotice('error', r.error.message)),
        (err: unknown) => addNotice('error', `The zoo slot could not be changed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => setPicking(false));
  };
  const [size, setSize] = useState<SegSizeName>(configSize);
  useEffect(() => setSize(configSize), [configSize]);
  useEffect(() => {
    if (!engineReady) return;
    getEngine()
      .call('segment', 'zoo', [])
      .then(
        (value) => setPush({ lab: 'segment', name: 'zoo', value }),
        (err: unknown) => addNotice('warning', `The model zoo could not be read: ${err instanceof Error ? err.message : String(err)}`),
      );
  }, [engineReady, addNotice, setPush]);

  const rows = zooRows(zoo, size);
  const overhead = pixelShuffleOverhead(rows);
  return (
    <section className="seg-zoo" aria-labelledby="seg-zoo-title">
      <div className="seg-section-head">
        <h2 id="seg-zoo-title">Model zoo</h2>
        <label className="inline-field">
          Input size
          <select data-testid="seg.zoo.size" value={size} onChange={(e) => setSize(e.target.value as SegSizeName)}>
            {SEG_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} ({sizeLabel(s)})
              </option>
            ))}
          </select>
        </label>
        {zoo?.loading && <span className="muted">loading shipped weights…</span>}
        {zoo?.entries.some((e) => e.origin !== 'shipped') && (
          <button
            type="button"
            data-testid="seg.zoo.reset"
            disabled={!engineReady || segActive}
            title={segActive ? 'Stop the run first' : 'Drop the models trained in this session and reload the shipped demo weights'}
            onClick={() =>
              void getEngine()
                .call('segment', 'resetZoo', [])
                .then((r) => (r.ok ? setPush({ lab: 'segment', name: 'zoo', value: r.zoo }) : addNotice('error', r.error.message)))
            }
          >
            Restore shipped models
          </button>
        )}
      </div>
      {zoo?.notice && (
        <p className="notice notice-info" data-testid="seg.zoo.notice">
          {zoo.notice}
        </p>
      )}
      {zoo?.shippedError && (
        <p className="notice notice-warning" data-testid="seg.zoo.shippedError">
          {zoo.shippedError}
        </p>
      )}
      <div className="runs-table-wrap">
        <table className="runs seg-zoo-table" data-testid="seg.zoo">
          <thead>
            <tr>
              <th>Model</th>
              <th title="Trainable scalars of the deployed model (aux heads left out)">Params</th>
              <th title="Params of the upscale modules alone">Upscale params</th>
              <th title="Multiply-accumulates per image at this size (FLOPs ≈ 2 × MACs)">MACs</th>
              <th>mIoU</th>
              <th title="The dataset and class set it was trained on: models of different class sets are never compared">Trained on</th>
              <th>Chain</th>
              <th>Steps</th>
              <th>Origin</th>
              <th title="The model this slot holds: the shipped one or any kept model of this slot and size (remembered across reloads)">Use</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ slot, entry: e }) => {
              const c = candidates(zoo, models, size, slot);
              const current = pickOf(e);
              const menu = (
                <td>
                  <select
                    className="seg-zoo-pick"
                    data-testid="seg.zoo.pick"
                    aria-label={`Model in the ${SLOT_LABELS[slot]} slot`}
                    value={current}
                    disabled={!engineReady || segActive || picking || (!c.shipped && c.library.length === 0)}
                    title={segActive ? 'Stop the run first' : 'Put the shipped model or a kept model of this slot and size into the zoo'}
                    onChange={(ev) => pick(slot, ev.target.value)}
                  >
                    {current === '' && <option value="">{e ? 'this run (not kept yet)' : '—'}</option>}
                    {c.shipped && <option value="shipped">shipped</option>}
                    {c.library.map((m) => (
                      <option key={m.id} value={m.id}>
                        {modelLabel(m)}
                      </option>
                    ))}
                    {current !== '' && current !== 'shipped' && !c.library.some((m) => m.id === current) && (
                      <option value={current}>{e?.origin ?? current}</option>
                    )}
                  </select>
                </td>
              );
              return (
                <tr key={slot} data-testid="seg.zoo.row" data-slot={slot} className={e ? undefined : 'seg-empty-row'}>
                  <td>
                    {SLOT_LABELS[slot]}
                    {e?.upscale && e.upscale !== 'bilinear' && slot !== 'tutor' && (
                      <div className="muted" data-testid="seg.zoo.variant" title={UPSCALE_LABELS[e.upscale]}>
                        {UPSCALE_SHORT[e.upscale]}
                      </div>
                    )}
                  </td>
                  {e ? (
                    <>
                      <td className="num" data-testid="seg.zoo.params">
                        {formatCount(e.params)}
                      </td>
                      <td className="num">{e.upscaleParams ? formatCount(e.upscaleParams) : '—'}</td>
                      <td className="num">{formatCount(e.macs)}</td>
                      <td className="num" data-testid="seg.zoo.miou">
                        {formatPercent(e.mIoU)}
                      </td>
                      <td data-testid="seg.zoo.dataset">
                        {datasetName(e.dataset)}
                        <br />
                        <span className="muted">{e.classNames.length} classes</span>
                      </td>
                      <td>{chainLabel(e.chain)}</td>
                      <td className="num" data-testid="seg.zoo.steps">
                        {e.steps.toLocaleString('en-US')}
                      </td>
                      <td data-testid="seg.zoo.origin">{e.origin === 'shipped' ? 'shipped' : <span title={e.origin}>run {e.origin}</span>}</td>
                    </>
                  ) : (
                    <td colSpan={8} className="muted">
                      not trained at this size yet{slot === 'teacher' || slot === 'tutor' ? ` — train a ${slot} here to distil from it` : ''}
                    </td>
                  )}
                  {menu}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="seg-overhead" data-testid="seg.zoo.overhead">
        {overhead ? (
          <>
            PixelShuffle vs bilinear student: params <b>{signed(overhead.params)}</b> ({signedPct(overhead.fraction)}), MACs <b>{signed(overhead.macs)}</b> (
            {signedPct(overhead.macsFraction)}); upscale modules <b>{formatCount(overhead.upscaleParams)}</b> params.
          </>
        ) : (
          <span className="muted">The PixelShuffle overhead shows once both students are in the zoo at this size.</span>
        )}
      </p>
    </section>
  );
}
