/**
 * What validation found: each finding names where (file:line for an entry of the networking file,
 * or the firewall object) and says how to fix it. Errors block apply; warnings do not.
 */

export type Severity = 'error' | 'warning';

export type FindingCode =
  | 'yaml-syntax'
  | 'file-shape'
  | 'unknown-key'
  | 'missing-key'
  | 'malformed-ip'
  | 'malformed-mac'
  | 'duplicate-public-ip'
  | 'duplicate-internal-ip'
  | 'duplicate-mac'
  | 'mac-not-locally-administered'
  | 'mac-multicast'
  | 'public-ip-outside-subnet'
  | 'public-ip-reserved'
  | 'internal-ip-outside-lan'
  | 'internal-ip-reserved'
  | 'vip-is-interface-address'
  | 'internal-ip-is-interface-address'
  | 'nat-without-vip'
  | 'rule-shadowed'
  | 'unexplained-managed-object'
  | 'conflicts-with-unmanaged';

export interface FirewallObjectRef {
  kind: 'vip' | 'nat' | 'rule' | 'dhcp';
  id: number;
  descr: string;
}

export interface Finding {
  severity: Severity;
  code: FindingCode;
  message: string;
  /** What to do about it, in one sentence. */
  fix: string;
  file?: string;
  line?: number;
  /** Index of the entry in `ips:`. */
  entry?: number;
  object?: FirewallObjectRef;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'error');
}

const KIND_NAMES: Record<FirewallObjectRef['kind'], string> = {
  vip: 'virtual IP',
  nat: '1:1 NAT',
  rule: 'rule',
  dhcp: 'DHCP static mapping',
};

export function describeObject(object: FirewallObjectRef): string {
  return `${KIND_NAMES[object.kind]} #${object.id} "${object.descr}"`;
}

/** `networking_hargett.yaml:14: error [duplicate-mac] … Fix: …` — the form terminals turn into links. */
export function formatFinding(finding: Finding): string {
  const where = finding.file
    ? `${finding.file}:${finding.line ?? 1}`
    : finding.object
      ? `firewall ${describeObject(finding.object)}`
      : 'firewall';
  return `${where}: ${finding.severity} [${finding.code}] ${finding.message} Fix: ${finding.fix}`;
}

/** Errors first, then by file position, so a reader fixes the file top to bottom. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || (a.line ?? Infinity) - (b.line ?? Infinity));
}
