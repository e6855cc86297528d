import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/**
 * How to trust a firewall's certificate. pfSense ships a self-signed one, so besides a CA file
 * the usual choice is pinning its SHA-256 fingerprint; `insecure` exists for labs and says so.
 */
export interface PfSenseTlsOptions {
  /** PEM file of the CA (or the self-signed certificate itself) to trust. */
  caFile?: string;
  /** PEM text, for callers that hold the CA in memory. */
  ca?: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:…` (any case, colons optional). */
  fingerprint?: string;
  /** Skip verification entirely. */
  insecure?: boolean;
}

export class TlsPinMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`certificate fingerprint ${actual} does not match the pinned ${expected}`);
  }
}

export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/**
 * An undici Agent that verifies the firewall the way the options say. With a fingerprint the chain
 * is not checked (a self-signed certificate has none); the leaf's SHA-256 must match instead,
 * checked on every new connection before a byte of the request is sent.
 */
export function createTlsAgent(options: PfSenseTlsOptions = {}, connectTimeoutMs = 10_000): Agent {
  const ca = options.ca ?? (options.caFile ? readFileSync(options.caFile, 'utf8') : undefined);
  if (!options.fingerprint) {
    return new Agent({
      connect: { ca, rejectUnauthorized: !options.insecure, timeout: connectTimeoutMs },
    });
  }
  const expected = normalizeFingerprint(options.fingerprint);
  // No TLS session resumption: a resumed session may not present the certificate to check.
  const base = buildConnector({ rejectUnauthorized: false, timeout: connectTimeoutMs, maxCachedSessions: 0 });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    base(connectOptions, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('connection failed'), null);
        return;
      }
      if (connectOptions.protocol === 'https:') {
        const certificate = (socket as TLSSocket).getPeerCertificate();
        const actual = normalizeFingerprint(certificate.fingerprint256 ?? '');
        if (actual !== expected) {
          socket.destroy();
          callback(new TlsPinMismatch(expected, actual), null);
          return;
        }
      }
      callback(null, socket);
    });
  };
  return new Agent({ connect });
}
