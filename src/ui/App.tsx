import { BackendStatus, SoftwareNotice } from './components/BackendStatus';
import { Notices } from './components/Notices';
import { TrainLab } from './labs/train/TrainLab';

export function App() {
  return (
    <div className="app">
      <header className="header">
        <h1>Prune &amp; Distill Workbench</h1>
        <nav aria-label="Labs">
          <span className="tab tab-active" aria-current="page">
            Train
          </span>
        </nav>
        <BackendStatus />
      </header>
      <SoftwareNotice />
      <Notices />
      <main>
        <TrainLab />
      </main>
    </div>
  );
}
