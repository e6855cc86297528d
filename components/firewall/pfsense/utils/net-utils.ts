/**
 * IPv4 and MAC helpers shared by the validator, the planner and the payload builders.
 * Addresses are handled as unsigned 32-bit numbers so that range checks and sorting are exact.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as an unsigned 32-bit number, or null when the text is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | null {
  const match = IPV4.exec(text.trim());
  if (!match) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = match[i] ?? '';
    // "01" is not an address pfSense accepts; leading zeros read as octal in some tools.
    if (part.length > 1 && part.startsWith('0')) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export interface Ipv4Network {
  /** The network address (host bits cleared). */
  network: number;
  prefix: number;
  /** First and last address of the block, network and broadcast included. */
  first: number;
  last: number;
}

/** `38.247.82.0/23` → its range; a bare address reads as a /32. Null when malformed. */
export function parseCidr(text: string): Ipv4Network | null {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (addressText === undefined || extra !== undefined) return null;
  const address = parseIpv4(addressText);
  if (address === null) return null;
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (!/^\d{1,2}$/.test(prefixText ?? '32') || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  return { network, prefix, first: network, last: network + size - 1 };
}

export function formatCidr(network: Ipv4Network): string {
  return `${formatIpv4(network.network)}/${network.prefix}`;
}

export function cidrContains(network: Ipv4Network, address: string | number): boolean {
  const value = typeof address === 'number' ? address : parseIpv4(address);
  return value !== null && value >= network.first && value <= network.last;
}

/** True when the address is the network or broadcast address of a block larger than /31. */
export function isNetworkOrBroadcast(network: Ipv4Network, address: string): boolean {
  const value = parseIpv4(address);
  if (value === null || network.prefix >= 31) return false;
  return value === network.first || value === network.last;
}

/** Numeric order for IPv4 addresses (`10.0.0.9` before `10.0.0.10`); anything else sorts last, by text. */
export function compareIpv4(a: string, b: string): number {
  const x = parseIpv4(a);
  const y = parseIpv4(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a.localeCompare(b);
}

export function sortIpv4<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareIpv4(key(a), key(b)));
}

const MAC =
  /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;
const MAC_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

/**
 * `02-00-2E-8C-5E-78`, `0200.2e8c.5e78` or `02002e8c5e78` → `02:00:2e:8c:5e:78` (pfSense's own form);
 * null when the text is not a MAC address. Mixed separators are refused: they are almost always typos.
 */
export function normalizeMac(text: string): string | null {
  const trimmed = text.trim();
  const dotted = MAC_DOTTED.exec(trimmed);
  const hex = dotted ? dotted.slice(1).join('') : trimmed;
  const separators = new Set(hex.replace(/[0-9a-f]/gi, ''));
  if (separators.size > 1 || (hex.length !== 12 && hex.length !== 17)) return null;
  const match = MAC.exec(hex);
  if (!match) return null;
  return match.slice(1).join(':').toLowerCase();
}

/** The second-least-significant bit of the first octet: set on addresses made up locally (VMs, 02:…). */
export function isLocallyAdministeredMac(mac: string): boolean {
  const normalized = normalizeMac(mac);
  if (!normalized) return false;
  return (parseInt(normalized.slice(0, 2), 16) & 0b10) !== 0;
}

/** The least-significant bit of the first octet: a group address, never valid for a host. */
export function isMulticastMac(mac: string): boolean {
  const normalized = normalizeMac(mac);
  if (!normalized) return false;
  return (parseInt(normalized.slice(0, 2), 16) & 0b1) !== 0;
}
