export { processIo, type CliIo } from './cli-io.ts';
export {
  scaledElapsedSec,
  StateFile,
  StateFileError,
  stateFilePath,
  type StateFileShape,
} from './state-file.ts';
