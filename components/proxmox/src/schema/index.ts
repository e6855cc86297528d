export {
  PveSchemaIndex,
  type HttpMethod,
  type PveRoute,
  type PveRouteResult,
  type PveWireParams,
} from './pve-schema-index.ts';
export {
  extractPveSchema,
  referenceSchemaPath,
  type PveEndpointSpec,
  type PveParamSpec,
  type PveSchemaExtract,
} from './extract.ts';
export { formatPropertyString, parsePropertyString, splitPropertyString } from './property-string.ts';
