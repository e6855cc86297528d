import { badRequest, CONTROL_PARAMETERS } from './model.ts';
import type { SimObject } from './state.ts';

/**
 * Plural GET/DELETE queries: `field=value` or `field__op=value` filters (exact, contains,
 * startswith, endswith, in, except, lt, lte, gt, gte, regex), then sort_by/sort_order,
 * then offset/limit (limit 0 means all), as the package's QueryFilter classes do.
 */

const RESERVED = new Set(['limit', 'offset', 'sort_by', 'sort_order', 'sort_flags', ...CONTROL_PARAMETERS]);
const OPERATORS = new Set([
  'exact',
  'contains',
  'startswith',
  'endswith',
  'in',
  'except',
  'lt',
  'lte',
  'gt',
  'gte',
  'regex',
]);

export function filterObjects(
  objects: readonly SimObject[],
  query: URLSearchParams,
  fields: readonly string[],
): SimObject[] {
  const known = new Set(['id', 'parent_id', ...fields]);
  let result = [...objects];
  for (const [key, expected] of query) {
    if (RESERVED.has(key)) continue;
    const [field, operator = 'exact', extra] = key.split('__');
    if (!field || extra !== undefined || !OPERATORS.has(operator)) {
      throw badRequest('QUERY_FILTER_INVALID', `Query \`${key}\` is not a valid filter.`);
    }
    if (!known.has(field)) {
      throw badRequest('QUERY_FIELD_UNKNOWN', `Cannot filter on unknown field \`${field}\`.`);
    }
    result = result.filter((object) => matches(object[field], operator, expected));
  }

  const sortBy = query.get('sort_by');
  if (sortBy) {
    const direction = query.get('sort_order') === 'SORT_DESC' ? -1 : 1;
    result.sort((a, b) => direction * compare(a[sortBy], b[sortBy]));
  }

  const offset = integerParameter(query, 'offset');
  const limit = integerParameter(query, 'limit');
  return result.slice(offset, limit > 0 ? offset + limit : undefined);
}

function integerParameter(query: URLSearchParams, name: string): number {
  const raw = query.get(name);
  if (raw === null) return 0;
  if (!/^\d+$/.test(raw))
    throw badRequest('QUERY_PARAMETER_INVALID', `\`${name}\` must be a non-negative integer.`);
  return Number(raw);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function matches(value: unknown, operator: string, expected: string): boolean {
  const values = Array.isArray(value) ? value.map(text) : [text(value)];
  switch (operator) {
    case 'exact':
      return Array.isArray(value) ? values.join(',') === expected : values[0] === expected;
    case 'except':
      return !(Array.isArray(value) ? values.join(',') === expected : values[0] === expected);
    case 'contains':
      return Array.isArray(value) ? values.includes(expected) : (values[0] ?? '').includes(expected);
    case 'startswith':
      return values.some((v) => v.startsWith(expected));
    case 'endswith':
      return values.some((v) => v.endsWith(expected));
    case 'in':
      return values.some((v) => expected.split(',').includes(v));
    case 'regex':
      return values.some((v) => safeRegex(expected).test(v));
    default: {
      const number = Number(values[0]);
      const limit = Number(expected);
      if (operator === 'lt') return number < limit;
      if (operator === 'lte') return number <= limit;
      if (operator === 'gt') return number > limit;
      return number >= limit;
    }
  }
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw badRequest('QUERY_FILTER_INVALID', `\`${pattern}\` is not a valid regular expression.`);
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return text(a).localeCompare(text(b));
}
