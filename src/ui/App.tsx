import { useEffect, useState } from 'react';
import { useWorkbench } from '../store';
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
  // A request from inside a tab (a library row's "Open in viewer", a run's "model" link): open the tab, then bring the
  // asked-for element into view once it is rendered (given up after a few seconds).
  const request = useWorkbench((s) => s.tabRequest);
  useEffect(() => {
    if (!request) return;
    openTab(request.tab);
    const target = request.scrollTo;
    if (!target) return;
    let tries = 0;
    const timer = setInterval(() => {
      const el = document.querySelector<HTMLElement>(`[data-testid="${CSS.escape(target)}"]`);
      if (el || ++tries > 50) clearInterval(timer);
      if (el) {
        el.scrollIntoView({ block: 'start' });
        if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
        el.focus({ preventScroll: true });
      }
    }, 100);
    return () => clearInterval(timer);
  }, [request]);
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
