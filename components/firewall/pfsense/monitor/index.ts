export * from './status.ts';
export * from './drift.ts';
export * from './objects.ts';
