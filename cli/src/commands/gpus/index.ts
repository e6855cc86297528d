export { gpusList, type GpusListOptions } from './list.ts';
export { gpusToken, type GpusTokenOptions } from './token.ts';
export {
  gpusConfigGet,
  gpusConfigSet,
  type GpusConfigGetOptions,
  type GpusConfigSetOptions,
} from './config.ts';
