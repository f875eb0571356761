import { getEngine } from '../../client';
import { BACKEND_PREFERENCES, type BackendInfo, type BackendPreference } from '../../protocol/backend';
import { LABS } from '../../protocol/labs';
import { useWorkbench } from '../../store';
import { writeBackendParam } from '../urlSync';

/** The header's backend badge, adapter details, software notice and the backend override. */
export function BackendStatus() {
  const backend = useWorkbench((s) => s.backend);
  const engineStatus = useWorkbench((s) => s.engineStatus);
  const preference = useWorkbench((s) => s.backendPreference);
  const setPreference = useWorkbench((s) => s.setBackendPreference);

  const onChange = (p: BackendPreference) => {
    setPreference(p);
    writeBackendParam(p);
    void getEngine().restart(p);
  };

  const adapter = backend ? describeAdapter(backend) : '';
  return (
    <div className="backend">
      <span className={`badge ${backend?.isSoftware ? 'badge-soft' : ''}`} data-testid="app.backend" title={adapter}>
        {backend ? backend.name : engineStatus === 'failed' ? 'no backend' : 'starting…'}
      </span>
      {adapter && (
        <span className="adapter" data-testid="app.adapter">
          {adapter}
        </span>
      )}
      <label className="backend-select">
        Backend
        <select data-testid="settings.backend" value={preference} onChange={(e) => onChange(e.target.value as BackendPreference)}>
          {BACKEND_PREFERENCES.map((p) => (
            <option key={p} value={p}>
              {p === 'auto' ? 'auto (GPU, else wasm)' : p}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Vendor · architecture · description, plus SIMD and threads for wasm. */
function describeAdapter(b: BackendInfo): string {
  const parts = [b.vendor, b.architecture, b.description];
  if (b.name === 'wasm') parts.push(b.simd ? 'SIMD' : 'no SIMD', `${b.threads ?? 1} thread${b.threads === 1 ? '' : 's'}`);
  return parts.filter(Boolean).join(' · ');
}

/** A plain notice when there is no hardware GPU: what the engine uses instead, and what that means. */
export function SoftwareNotice() {
  const backend = useWorkbench((s) => s.backend);
  const configs = useWorkbench((s) => s.configs);
  const setConfig = useWorkbench((s) => s.setConfig);
  if (!backend?.isSoftware) return null;
  // The labs whose models have a width multiplier (the classifiers): light settings are width 1/16, batch ≤ 16.
  const sized = LABS.filter((l) => 'width' in l.fields).map((l) => l.id);
  const light = sized.every((lab) => {
    const c = configs[lab] as { width?: number; batchSize?: number };
    return (c.width ?? 0) <= 1 / 16 && (c.batchSize ?? 0) <= 16;
  });
  const useLight = () => {
    for (const lab of sized) setConfig(lab, { width: 1 / 16, batchSize: 16 });
  };
  if (backend.name === 'wasm') {
    const passedOver = backend.skipped.filter((s) => s.name === 'webgpu' || s.name === 'webgl').map((s) => s.name);
    return (
      <p className="notice notice-info" data-testid="app.softwareNotice">
        <span>
          No hardware GPU was found{passedOver.length ? ` (${passedOver.join(' and ')} offer only a software adapter)` : ''}, so the engine trains on the CPU
          with WebAssembly ({backend.simd ? 'SIMD' : 'no SIMD'}, {backend.threads ?? 1} thread{backend.threads === 1 ? '' : 's'}). Training works but is slower
          than on a GPU; choose a backend under Backend to override.
        </span>
      </p>
    );
  }
  const what =
    backend.name === 'cpu' ? 'the tfjs CPU backend' : `a software ${backend.name} adapter (${backend.description || backend.architecture || backend.vendor})`;
  return (
    <p className="notice notice-warning" data-testid="app.softwareNotice">
      <span>
        Running on {what}: there is no hardware GPU acceleration, so training will be slow. Keep the width at 1/16 and the batch small, or open the workbench on
        a machine with a GPU.
      </span>
      {!light && (
        <button type="button" className="notice-action" data-testid="app.useLightSettings" onClick={useLight}>
          Use width 1/16, batch 16
        </button>
      )}
    </p>
  );
}
