export { processIo, type CliIo } from './cli-io.ts';
export { scaledElapsedSec, StateFile, stateFilePath, type StateFileShape } from './state-file.ts';
