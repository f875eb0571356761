import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEngine } from '../client';
import { installRunGuards, useWorkbench } from '../store';
import { App } from './App';
import { afterInput, sliderDragging } from './inputActivity';
import { DEFAULT_TAB } from './labs';
import { initFromUrl } from './urlSync';
import './styles.css';

initFromUrl(DEFAULT_TAB);
// Boot the engine worker at once, whichever lab the page opens on; engine events reach the store between slider drags.
getEngine().setEventGate((apply) => (sliderDragging() ? afterInput(apply) : apply()));
// Runs in progress: checkpoints in the run history (kept as "interrupted" if the page dies) and a prompt before leaving.
installRunGuards(useWorkbench, window, document);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
