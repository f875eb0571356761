import { useState } from 'react';
import { BackendStatus, SoftwareNotice } from './components/BackendStatus';
import { Notices } from './components/Notices';
import { DataLab } from './labs/data/DataLab';
import { TrainLab } from './labs/train/TrainLab';

const TABS = [
  { id: 'train', label: 'Train' },
  { id: 'data', label: 'Data' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function App() {
  const [tab, setTab] = useState<TabId>('train');
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
        {tab === 'data' && <DataLab onTrain={() => setTab('train')} />}
      </main>
    </div>
  );
}
