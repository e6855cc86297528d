import { isIP } from 'node:net';

/**
 * Checks for PVE's named string formats (PVE::JSONSchema `register_format`), for the formats
 * the client and simulator meet; other formats are accepted as plain strings.
 */
const LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const CONFIG_ID = /^[a-z][a-z0-9_-]+$/i;
const STORAGE_ID = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;
const TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

function list(value: string): string[] {
  return value.split(/[;,\s]+/).filter(Boolean);
}

function isCidr(value: string, family?: 4 | 6): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (!address || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits)) return false;
  const version = isIP(address);
  if (version === 0 || (family && version !== family)) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

const checks: Record<string, (value: string) => string | undefined> = {
  'pve-node': (v) => (LABEL.test(v) ? undefined : 'value does not look like a valid node name'),
  'pve-configid': (v) => (CONFIG_ID.test(v) ? undefined : 'invalid configuration ID'),
  'pve-configid-list': (v) =>
    list(v).every((id) => CONFIG_ID.test(id)) ? undefined : 'invalid configuration ID list',
  'pve-storage-id': (v) => (STORAGE_ID.test(v) ? undefined : `storage ID '${v}' contains illegal characters`),
  'pve-poolid': (v) =>
    /^[A-Za-z0-9_\-/]+$/.test(v) ? undefined : `pool name '${v}' contains illegal characters`,
  'dns-name': (v) =>
    v.split('.').every((label) => LABEL.test(label))
      ? undefined
      : `value does not look like a valid DNS name`,
  'pve-tag-list': (v) => (list(v).every((tag) => TAG.test(tag)) ? undefined : `invalid tag list '${v}'`),
  'mac-addr': (v) =>
    /^[a-f0-9]{2}(:[a-f0-9]{2}){5}$/i.test(v) && (parseInt(v.slice(0, 2), 16) & 1) === 0
      ? undefined
      : 'value does not look like a valid unicast MAC address',
  'pve-bridge-id': (v) => (/^[-_.\w\d]+$/.test(v) ? undefined : `invalid bridge ID '${v}'`),
  urlencoded: (v) => (/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v) ? undefined : `invalid urlencoded string: ${v}`),
  'disk-size': (v) => (/^\d+(\.\d+)?[KMGT]?$/.test(v) ? undefined : 'unable to parse size'),
  ipv4: (v) => (isIP(v) === 4 ? undefined : 'value does not look like a valid IPv4 address'),
  ipv6: (v) => (isIP(v) === 6 ? undefined : 'value does not look like a valid IPv6 address'),
  ip: (v) => (isIP(v) ? undefined : 'value does not look like a valid IP address'),
  CIDR: (v) => (isCidr(v) ? undefined : 'value does not look like a valid CIDR network'),
  CIDRv4: (v) => (isCidr(v, 4) ? undefined : 'value does not look like a valid IPv4 CIDR network'),
  'address-list': (v) =>
    list(v).every((a) => isIP(a) !== 0) ? undefined : 'value does not look like a valid address list',
  'pve-vmid': (v) => (/^[1-9][0-9]{2,8}$/.test(v) ? undefined : 'value does not look like a valid VM ID'),
};

export function checkNamedFormat(format: string, value: string): string | undefined {
  const check = checks[format];
  const message = check ? check(value) : undefined;
  return message ? `invalid format - ${message}` : undefined;
}
