import { formatPropertyString, parsePropertyString, splitPropertyString } from '../schema/property-string.ts';

/**
 * Comparing one desired config value with what PVE holds, key by key: PVE writes values its
 * own way (`memory: current=4096`, `net0: virtio=MAC,bridge=…`, url-encoded ssh keys, tags in
 * any order), so equality is about meaning, not text. Unspecified parts of the desired value
 * (a NIC without MAC) match anything.
 */

/** Changes to these keys reach a running VM only after a restart (PVE keeps them pending). */
const REBOOT_KEYS =
  /^(cores|sockets|memory|cpu|machine|bios|hostpci\d+|numa|vcpus|ciuser|cipassword|sshkeys|ipconfig\d+|nameserver|searchdomain|citype)$/;

export function needsReboot(key: string): boolean {
  return REBOOT_KEYS.test(key);
}

const NET_MODELS = new Set([
  'e1000',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'e1000e',
  'i82551',
  'i82557b',
  'i82559er',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
  'rtl8139',
  'virtio',
  'vmxnet3',
]);

export interface NetValue {
  model: string;
  macaddr: string | undefined;
  options: Record<string, string>;
}

/** `virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=5` or `model=virtio,macaddr=…` → parts. */
export function parseNet(value: string): NetValue {
  let model = 'virtio';
  let macaddr: string | undefined;
  const options: Record<string, string> = {};
  for (const part of splitPropertyString(value)) {
    if (part.key === undefined || part.key === 'model') model = part.value;
    else if (NET_MODELS.has(part.key)) {
      model = part.key;
      macaddr = part.value;
    } else if (part.key === 'macaddr') macaddr = part.value;
    else options[part.key] = part.value;
  }
  return { model, macaddr: macaddr?.toUpperCase(), options };
}

export function formatNet(net: NetValue): string {
  const head = net.macaddr ? `${net.model}=${net.macaddr}` : net.model;
  const rest = formatPropertyString(net.options, { leading: ['bridge'] });
  return rest ? `${head},${rest}` : head;
}

function parseMemoryMiB(value: string | undefined): number {
  return Number(parsePropertyString(value ?? '512', 'current').current ?? 512);
}

function tagSet(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(/[;,\s]+/)
        .filter(Boolean)
        .map((t) => t.toLowerCase()),
    ),
  ].sort();
}

function sshKeyLines(value: string | undefined): string[] {
  let decoded = value ?? '';
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // Not encoded: compare as is.
  }
  return decoded
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
}

function flag(value: string | undefined): string {
  return value === undefined ? '0' : /^(1|true|yes|on)$/i.test(value) ? '1' : '0';
}

/** PCI addresses with or without the `0000:` domain mean the same device. */
function pciHost(value: string | undefined): string {
  return (value ?? '')
    .split(';')
    .map((id) => (id.split(':').length === 2 ? `0000:${id}` : id).toLowerCase())
    .join(';');
}

const EQUAL_WHEN: Record<string, (want: string, have: string | undefined) => boolean> = {
  cores: (want, have) => want === (have ?? '1'),
  sockets: (want, have) => want === (have ?? '1'),
  memory: (want, have) => parseMemoryMiB(want) === parseMemoryMiB(have),
  onboot: (want, have) => flag(want) === flag(have),
  protection: (want, have) => flag(want) === flag(have),
  tags: (want, have) => tagSet(want).join(';') === tagSet(have).join(';'),
  cpu: (want, have) =>
    parsePropertyString(want, 'cputype').cputype === parsePropertyString(have ?? 'kvm64', 'cputype').cputype,
  machine: (want, have) => (want === 'q35' ? /q35/.test(have ?? '') : want === have),
  sshkeys: (want, have) => sshKeyLines(want).join('\n') === sshKeyLines(have).join('\n'),
  nameserver: (want, have) =>
    want.split(/\s+/).sort().join(' ') === (have ?? '').split(/\s+/).sort().join(' '),
  description: (want, have) => want.trim() === (have ?? '').trim(),
};

export function sameValue(key: string, want: string, have: string | undefined): boolean {
  const equal = EQUAL_WHEN[key];
  if (equal) return equal(want, have);
  if (have === undefined) return false;
  if (/^net\d+$/.test(key)) {
    const w = parseNet(want);
    const h = parseNet(have);
    if (w.model !== h.model || (w.macaddr && w.macaddr !== h.macaddr)) return false;
    return (
      Object.entries(w.options).every(([k, v]) =>
        k === 'firewall' ? flag(v) === flag(h.options[k]) : h.options[k] === v,
      ) &&
      (w.options.tag !== undefined || h.options.tag === undefined)
    );
  }
  if (/^hostpci\d+$/.test(key)) {
    const w = parsePropertyString(want, 'host');
    const h = parsePropertyString(have, 'host');
    return (
      pciHost(w.host) === pciHost(h.host) &&
      w.mapping === h.mapping &&
      flag(w.pcie) === flag(h.pcie) &&
      flag(w['x-vga']) === flag(h['x-vga'])
    );
  }
  if (/^ipconfig\d+$/.test(key)) {
    const w = parsePropertyString(want, 'ip');
    const h = parsePropertyString(have, 'ip');
    return w.ip === h.ip && w.gw === h.gw;
  }
  return want === have;
}

/**
 * The value to write: the desired value, keeping what the desired state does not speak about
 * (a NIC's MAC, MTU or queues; CPU flags), because PVE would otherwise drop or regenerate it.
 */
export function mergedValue(key: string, want: string, have: string | undefined): string {
  if (have === undefined) return want;
  if (/^net\d+$/.test(key)) {
    const w = parseNet(want);
    const h = parseNet(have);
    const options = { ...h.options, ...w.options };
    if (w.options.tag === undefined) delete options.tag;
    return formatNet({ model: w.model, macaddr: w.macaddr ?? h.macaddr, options });
  }
  if (key === 'cpu') {
    const h = parsePropertyString(have, 'cputype');
    return formatPropertyString(
      { ...h, cputype: parsePropertyString(want, 'cputype').cputype },
      { defaultKey: 'cputype' },
    );
  }
  if (/^ipconfig\d+$/.test(key)) {
    const h = parsePropertyString(have, 'ip');
    const w = parsePropertyString(want, 'ip');
    return formatPropertyString({ ip6: h.ip6, gw6: h.gw6, ...w }, { leading: ['ip', 'gw'] });
  }
  return want;
}

/** For display: how a value reads to a human (ssh keys decoded, memory in MiB). */
export function displayValue(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (key === 'sshkeys') return sshKeyLines(value).join(', ');
  if (key === 'memory') return String(parseMemoryMiB(value));
  return value;
}
