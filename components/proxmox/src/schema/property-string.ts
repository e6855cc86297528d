/**
 * PVE property strings: `virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=502` or
 * `local-lvm:vm-100-disk-0,size=32G`. A part without `=` belongs to the format's default key.
 */
export interface PropertyStringPart {
  key: string | undefined;
  value: string;
}

export function splitPropertyString(text: string): PropertyStringPart[] {
  if (text === '') return [];
  return text.split(',').map((part) => {
    const eq = part.indexOf('=');
    return eq === -1
      ? { key: undefined, value: part }
      : { key: part.slice(0, eq), value: part.slice(eq + 1) };
  });
}

/** Parses into a plain record, putting a bare value under `defaultKey`. */
export function parsePropertyString(text: string, defaultKey: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of splitPropertyString(text)) out[part.key ?? defaultKey] = part.value;
  return out;
}

/**
 * Formats a record back, `leading` keys first (bare when they are the default key),
 * then the rest in alphabetical order, as PVE prints its configs.
 */
export function formatPropertyString(
  values: Record<string, string | number | boolean | undefined>,
  options: { defaultKey?: string; leading?: string[] } = {},
): string {
  const leading = options.leading ?? (options.defaultKey ? [options.defaultKey] : []);
  const keys = Object.keys(values).filter((key) => values[key] !== undefined);
  const ordered = [
    ...leading.filter((key) => keys.includes(key)),
    ...keys.filter((key) => !leading.includes(key)).sort(),
  ];
  return ordered
    .map((key) => {
      const raw = values[key];
      const value = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
      return key === options.defaultKey ? value : `${key}=${value}`;
    })
    .join(',');
}
