export * from './params';
export * from './config';
export * from './backend';
export * from './events';
export * from './api';
export * from './datasets';
export * from './prune';
