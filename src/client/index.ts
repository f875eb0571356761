/** The UI's handle on the engine worker, created on first use. */
import { createEngineClient, type EngineClient } from './engineClient';

let client: EngineClient | null = null;

export function getEngine(): EngineClient {
  client ??= createEngineClient();
  return client;
}

export type { EngineClient } from './engineClient';
