export * from './api/index.ts';
export * from './lib/index.ts';
export * from './ops/index.ts';
export * from './monitor/index.ts';
export * from './utils/net-utils.ts';
