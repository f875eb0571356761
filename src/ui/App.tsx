import { useState } from 'react';
import { BackendStatus, SoftwareNotice } from './components/BackendStatus';
import { Notices } from './components/Notices';
import { DataLab } from './labs/data/DataLab';
import { PruneLab } from './labs/prune/PruneLab';
import { SegmentLab } from './labs/segment/SegmentLab';
import { TrainLab } from './labs/train/TrainLab';
import { readTabParam, writeTabParam } from './urlSync';

const TABS = [
  { id: 'train', label: 'Train' },
  { id: 'prune', label: 'Prune' },
  { id: 'segment', label: 'Segment' },
  { id: 'data', label: 'Data' },
] as const;
type TabId = (typeof TABS)[number]['id'];
const isTab = (v: string | null): v is TabId => TABS.some((t) => t.id === v);

export function App() {
  const [tab, setTabState] = useState<TabId>(() => {
    const fromUrl = readTabParam();
    return isTab(fromUrl) ? fromUrl : 'train';
  });
  const setTab = (t: TabId) => {
    setTabState(t);
    writeTabParam(t === 'train' ? null : t);
  };
  return (
    <div className="app">
      <header className="header">
        <h1>Prune &amp; Distill Workbench</h1>
        <nav aria-label="Labs" role="tablist">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              className={`tab${tab === t.id ? ' tab-active' : ''}`}
              aria-selected={tab === t.id}
              data-testid={`tab.${t.id}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <BackendStatus />
      </header>
      <SoftwareNotice />
      <Notices />
      <main>
        {tab === 'train' && <TrainLab />}
        {tab === 'prune' && <PruneLab />}
        {tab === 'segment' && <SegmentLab />}
        {tab === 'data' && <DataLab onTrain={() => setTab('train')} onTrainSeg={() => setTab('segment')} />}
      </main>
    </div>
  );
}
