import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEngine } from '../client';
import { App } from './App';
import { DEFAULT_TAB } from './labs';
import { initFromUrl } from './urlSync';
import './styles.css';

initFromUrl(DEFAULT_TAB);
// Boot the engine worker at once, whichever lab the page opens on.
getEngine();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
