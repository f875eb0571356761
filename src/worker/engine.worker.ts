/** Worker entry: expose the engine over comlink. */
import * as Comlink from 'comlink';
import { createEngineApi } from './engineApi';

Comlink.expose(createEngineApi());
