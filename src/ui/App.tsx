import { useState } from 'react';
import { BackendStatus, SoftwareNotice } from './components/BackendStatus';
import { Notices } from './components/Notices';
import { DEFAULT_TAB, TABS } from './labs';
import { openTabInUrl, readTabParam } from './urlSync';

const isTab = (v: string | null): v is string => TABS.some((t) => t.id === v);

export function App() {
  const [tab, setTabState] = useState<string>(() => {
    const fromUrl = readTabParam();
    return isTab(fromUrl) ? fromUrl : DEFAULT_TAB;
  });
  const openTab = (t: string) => {
    if (!isTab(t)) return;
    setTabState(t);
    openTabInUrl(t, t === DEFAULT_TAB);
  };
  const current = TABS.find((t) => t.id === tab) ?? TABS[0]!;
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
              onClick={() => openTab(t.id)}
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
        <current.Component openTab={openTab} />
      </main>
    </div>
  );
}
