import { boundOf, choicesOf, type ReferenceField, type ReferenceModel } from './reference.ts';
import type { SimInterface, SimObject } from './state.ts';

/**
 * Validation of request bodies against a reference model, the way the package's Field and Model
 * classes do it: conditions decide whether a field exists, then required, type, choices, empty,
 * range and uniqueness checks run in that order and the first failure is the answer, with the
 * package's response ids (FIELD_IS_REQUIRED, FIELD_INVALID_TYPE, FIELD_INVALID_CHOICE, …).
 */

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly responseId: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (responseId: string, message: string) => new ApiError(400, responseId, message);

/** Body keys that steer the request instead of naming a field. */
export const CONTROL_PARAMETERS = new Set(['apply', 'async', 'placement', 'append', 'remove', 'dry_run']);

export type InterfaceRepresentation = 'descr' | 'id' | 'if';

export interface ModelContext {
  modelName: string;
  model: ReferenceModel;
  interfaces: readonly SimInterface[];
  /** Every object of the collection (siblings under the same parent for child models). */
  siblings: readonly SimObject[];
  /** Index of the object being updated within `siblings`. */
  selfIndex?: number;
  /** The stored object being updated; absent on create. */
  existing?: SimObject;
  client: string;
  nowSeconds: number;
  newTracker: () => number;
  newUniqueId: () => string;
}

const PHP_TYPES: Record<string, 'string' | 'integer' | 'boolean' | 'double'> = {
  StringField: 'string',
  InterfaceField: 'string',
  FilterAddressField: 'string',
  SpecialNetworkField: 'string',
  ForeignModelField: 'string',
  UIDField: 'string',
  Base64Field: 'string',
  PortField: 'string',
  DateTimeField: 'string',
  IntegerField: 'integer',
  UnixTimeField: 'integer',
  BooleanField: 'boolean',
  FloatField: 'double',
};

function phpType(value: unknown): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (typeof value === 'object') return 'array';
  return typeof value;
}

/**
 * Validates `input` (a create body, or the changed fields of an update) and returns the object to
 * store: every field of the model, defaults filled in, fields whose conditions are unmet set to null.
 */
export function validateObject(input: SimObject, context: ModelContext): SimObject {
  const { model, existing } = context;
  const known = new Map(model.fields.map((field) => [field.name, field]));

  for (const key of Object.keys(input)) {
    if (key === 'id' || key === 'parent_id' || CONTROL_PARAMETERS.has(key)) continue;
    const field = known.get(key);
    if (!field) {
      throw badRequest('FIELD_UNKNOWN', `Field \`${key}\` is not a field of ${context.modelName}.`);
    }
    if (field.read_only) {
      throw badRequest('FIELD_IS_READ_ONLY', `Field \`${key}\` is read-only and cannot be set.`);
    }
  }

  const values: SimObject = {};
  for (const field of model.fields) {
    if (field.read_only) continue;
    if (Object.hasOwn(input, field.name)) values[field.name] = input[field.name];
    else if (existing && Object.hasOwn(existing, field.name)) values[field.name] = existing[field.name];
  }

  // Fields without conditions first: conditions refer to them.
  const ordered = [...model.fields.filter((f) => !f.conditions), ...model.fields.filter((f) => f.conditions)];
  const result: SimObject = {};
  for (const field of ordered) {
    if (field.read_only) continue;
    if (!conditionsMet(field, { ...values, ...result })) {
      result[field.name] = null;
      continue;
    }
    if (existing && field.editable === false && Object.hasOwn(input, field.name)) {
      if (JSON.stringify(input[field.name]) !== JSON.stringify(existing[field.name])) {
        throw badRequest(
          'FIELD_VALUE_CHANGED_WHEN_NOT_EDITABLE',
          `Field \`${field.name}\` is not editable but the requested value differs from its current value.`,
        );
      }
    }
    result[field.name] = validateField(field, values[field.name], context);
  }
  for (const field of model.fields) {
    if (!field.read_only) continue;
    result[field.name] = existing && Object.hasOwn(existing, field.name) ? existing[field.name] : null;
  }
  return result;
}

function conditionsMet(field: ReferenceField, values: SimObject): boolean {
  for (const [name, expected] of Object.entries(field.conditions ?? {})) {
    const actual = values[name];
    if (Array.isArray(expected) ? !expected.includes(actual) : actual !== expected) return false;
  }
  return true;
}

function validateField(field: ReferenceField, raw: unknown, context: ModelContext): unknown {
  let value = raw;
  if (value === undefined || value === null) {
    if (field.required) throw badRequest('FIELD_IS_REQUIRED', `Field \`${field.name}\` is required.`);
    if (field.type === 'UIDField') return context.newUniqueId();
    value = field.default === undefined ? null : structuredClone(field.default);
    if (value === null) return null;
  }

  if (field.many) {
    if (!Array.isArray(value)) {
      throw badRequest('FIELD_INVALID_MANY_VALUE', `Field \`${field.name}\` must be of type \`array\`.`);
    }
    const minimum = field.allow_empty ? 0 : (field.many_minimum ?? 0);
    const maximum = field.many_maximum ?? 128;
    if (value.length < minimum || value.length > maximum) {
      throw badRequest(
        'LENGTH_VALIDATOR_MAXIMUM_CONSTRAINT',
        `Field \`${field.name}\` must contain between ${minimum} and ${maximum} values.`,
      );
    }
    if (value.length === 0 && !field.allow_empty && field.required) {
      throw badRequest('FIELD_EMPTY_NOT_ALLOWED', `Field \`${field.name}\` cannot be empty.`);
    }
    return value.map((item: unknown) => validateScalar(field, item, context));
  }
  return validateScalar(field, value, context);
}

function validateScalar(field: ReferenceField, value: unknown, context: ModelContext): unknown {
  if (value === null && field.allow_null) return null;
  const expected = PHP_TYPES[field.type] ?? 'string';
  const actual = phpType(value);
  if (actual !== expected && !(expected === 'double' && actual === 'integer')) {
    throw badRequest('FIELD_INVALID_TYPE', `Field \`${field.name}\` must be of type \`${expected}\``);
  }

  const choices = choicesOf(field);
  if (choices && !choices.includes(value) && !(field.allow_empty && value === '')) {
    throw badRequest(
      'FIELD_INVALID_CHOICE',
      `Field \`${field.name}\` must be one of [${choices.join(', ')}]`,
    );
  }

  if (value === '') {
    if (!field.allow_empty)
      throw badRequest('FIELD_EMPTY_NOT_ALLOWED', `Field \`${field.name}\` cannot be empty.`);
    return value;
  }

  const minimum = boundOf(field.minimum);
  const maximum = boundOf(field.maximum);
  const minimumLength = boundOf(field.minimum_length);
  const maximumLength = boundOf(field.maximum_length);
  if (typeof value === 'number') {
    if (minimum !== undefined && value < minimum) {
      throw badRequest(
        'NUMERIC_RANGE_VALIDATOR_MINIMUM_CONSTRAINT',
        `Field \`${field.name}\` must be greater than or equal to ${minimum}.`,
      );
    }
    if (maximum !== undefined && value > maximum) {
      throw badRequest(
        'NUMERIC_RANGE_VALIDATOR_MAXIMUM_CONSTRAINT',
        `Field \`${field.name}\` must be less than or equal to ${maximum}.`,
      );
    }
  }
  if (typeof value === 'string') {
    if (maximumLength !== undefined && value.length > maximumLength) {
      throw badRequest(
        'LENGTH_VALIDATOR_MAXIMUM_CONSTRAINT',
        `Field \`${field.name}\` must be no more than ${maximumLength} characters.`,
      );
    }
    if (minimumLength !== undefined && value.length < minimumLength) {
      throw badRequest(
        'LENGTH_VALIDATOR_MINIMUM_CONSTRAINT',
        `Field \`${field.name}\` must be at least ${minimumLength} characters.`,
      );
    }
  }

  let stored = value;
  if (field.type === 'InterfaceField') stored = resolveInterface(field, value as string, context.interfaces);
  if (field.type === 'FilterAddressField') validateFilterAddress(field, value as string, context.interfaces);
  if (field.type === 'SpecialNetworkField')
    validateSpecialNetwork(field, value as string, context.interfaces);
  if (field.type === 'ForeignModelField') {
    // The simulator has no gateways, schedules or queues: any reference to one cannot resolve.
    throw badRequest(
      'FOREIGN_MODEL_FIELD_VALUE_NOT_FOUND',
      `Field \`${field.name}\` could not locate object with value \`${String(value)}\`.`,
    );
  }

  if (field.unique) {
    const clash = context.siblings.findIndex(
      (other, index) =>
        index !== context.selfIndex && JSON.stringify(other[field.name]) === JSON.stringify(stored),
    );
    if (clash !== -1) {
      throw badRequest(
        'FIELD_MUST_BE_UNIQUE',
        `Field '${field.name}' must be unique. Value is in use by object with ID '${clash}'.`,
      );
    }
  }
  return stored;
}

/** Interfaces may be given by id (wan), description (WAN) or real name (vtnet0); stored as the id. */
export function resolveInterface(
  field: ReferenceField,
  value: string,
  interfaces: readonly SimInterface[],
): string {
  const found = findInterface(value, interfaces);
  if (!found) {
    throw badRequest(
      'INTERFACE_FIELD_WITH_NON_EXISTENT_INTERFACE',
      `Field \`${field.name}\` must be an existing interface, got \`${value}\`.`,
    );
  }
  return found.id;
}

export function findInterface(value: string, interfaces: readonly SimInterface[]): SimInterface | undefined {
  return (
    interfaces.find((i) => i.id === value) ??
    interfaces.find((i) => i.if === value) ??
    interfaces.find((i) => i.descr.toLowerCase() === value.toLowerCase())
  );
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+$/;

export function isIpAddress(value: string): boolean {
  return IPV4.test(value) || (value.includes(':') && IPV6.test(value));
}

function isSubnet(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || address === undefined || bits === undefined || !/^\d{1,3}$/.test(bits))
    return false;
  return IPV4.test(address) ? Number(bits) <= 32 : isIpAddress(address) && Number(bits) <= 128;
}

function validateFilterAddress(
  field: ReferenceField,
  raw: string,
  interfaces: readonly SimInterface[],
): void {
  const value = raw.startsWith('!') ? raw.slice(1) : raw;
  const allowSubnet = field.allow_subnet ?? true;
  const allowInterface = field.allow_interface ?? true;
  if (value === 'any' || isIpAddress(value)) return;
  if (allowSubnet && isSubnet(value)) return;
  if (allowInterface) {
    const name = value.endsWith(':ip') ? value.slice(0, -3) : value;
    if (interfaces.some((i) => i.id === name)) return;
  }
  throw badRequest(
    'FILTER_ADDRESS_FIELD_INVALID',
    `Field \`${field.name}\` must be a valid IP address, subnet, interface or \`any\`, got \`${raw}\`.`,
  );
}

function validateSpecialNetwork(
  field: ReferenceField,
  value: string,
  interfaces: readonly SimInterface[],
): void {
  if (isIpAddress(value)) return;
  if (field.allow_subnet && isSubnet(value)) return;
  if (field.allow_interface && interfaces.some((i) => i.id === value)) return;
  throw badRequest(
    'SPECIAL_NETWORK_FIELD_INVALID',
    `Field \`${field.name}\` must be a valid IP address, got \`${value}\`.`,
  );
}

/**
 * The object as the API returns it: every field that is not write-only, interfaces named the way
 * the REST API settings say (`represent_interfaces_as`, `descr` unless changed), then `id`.
 */
export function represent(
  stored: SimObject,
  model: ReferenceModel,
  interfaces: readonly SimInterface[],
  representation: InterfaceRepresentation,
  ids: { id: number | string; parent_id?: string },
): SimObject {
  const out: SimObject = { id: ids.id };
  if (ids.parent_id !== undefined) out.parent_id = ids.parent_id;
  for (const field of model.fields) {
    if (field.write_only) continue;
    let value: unknown = stored[field.name] ?? null;
    if (field.type === 'InterfaceField' && value !== null) {
      const name = (id: unknown) => {
        const found = interfaces.find((i) => i.id === id);
        if (!found) return id;
        return representation === 'id' ? found.id : representation === 'if' ? found.if : found.descr;
      };
      value = Array.isArray(value) ? value.map(name) : name(value);
    }
    out[field.name] = value;
  }
  return out;
}
