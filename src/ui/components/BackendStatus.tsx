import { getEngine } from '../../client';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../protocol/backend';
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

  const adapter = backend ? [backend.vendor, backend.architecture, backend.description].filter(Boolean).join(' · ') : '';
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
              {p === 'auto' ? 'auto (webgpu → webgl → cpu)' : p}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** A plain notice when the backend is a software fallback. */
export function SoftwareNotice() {
  const backend = useWorkbench((s) => s.backend);
  const config = useWorkbench((s) => s.config);
  const setConfig = useWorkbench((s) => s.setConfig);
  if (!backend?.isSoftware) return null;
  const light = config.width <= 1 / 16 && config.batchSize <= 16;
  const what = backend.name === 'cpu' ? 'the tfjs CPU backend' : `a software ${backend.name} adapter (${backend.description || backend.architecture || backend.vendor})`;
  return (
    <p className="notice notice-warning" data-testid="app.softwareNotice">
      <span>
        Running on {what}: there is no hardware GPU acceleration, so training will be slow. Keep the width at 1/16
        and the batch small, or open the workbench on a machine with a GPU.
      </span>
      {!light && (
        <button type="button" className="notice-action" data-testid="app.useLightSettings" onClick={() => setConfig({ width: 1 / 16, batchSize: 16 })}>
          Use width 1/16, batch 16
        </button>
      )}
    </p>
  );
}
