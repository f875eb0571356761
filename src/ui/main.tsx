import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getEngine } from '../client';
import { App } from './App';
import { initFromUrl } from './urlSync';
import './styles.css';

initFromUrl();
// Boot the engine worker at once, whichever lab the page opens on.
getEngine();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
