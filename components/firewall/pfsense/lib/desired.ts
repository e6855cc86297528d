/**
 * One public IP mapped 1:1 to a machine, as read from a networking file (or, later, from a
 * deployment that asked for a public IP). `source` says where it came from, for messages.
 */
export interface DesiredEntry {
  publicIp: string;
  internalIp: string;
  /** Lowercase, colon-separated. */
  mac: string;
  description?: string;
  /** false: the public IP reaches the firewall some other way; no single-address VIP is made. */
  vip: boolean;
  source: { file: string; line: number };
}
