import { useEffect, useState } from 'react';
import { formatBytes } from '../format';
import { onStorageChange, readStorage, type StorageState } from '../storage';

/** "Storage: 146.5 MB of 12.00 GB used · persistent" (or "may be evicted by the browser"), refreshed after every save. */
export function StorageStatus({ testId }: { testId: string }) {
  const [state, setState] = useState<StorageState | null>(null);
  useEffect(() => {
    let live = true;
    void readStorage().then((s) => live && setState(s));
    const off = onStorageChange((s) => live && setState(s));
    return () => {
      live = false;
      off();
    };
  }, []);
  if (!state) return null;
  const used = state.usage === null ? 'unknown' : formatBytes(state.usage);
  const quota = state.quota === null ? '' : ` of ${formatBytes(state.quota)}`;
  const persistence =
    state.persisted === null
      ? 'the browser does not say whether it may evict it'
      : state.persisted
        ? 'persistent (the browser will not evict it)'
        : 'best-effort: the browser may evict it under storage pressure';
  return (
    <p className="storage-status" data-testid={testId} data-persisted={String(state.persisted)}>
      Browser storage: {used}
      {quota} used · {persistence}
    </p>
  );
}
