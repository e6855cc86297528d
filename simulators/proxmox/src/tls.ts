import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SelfSignedCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint as PVE shows it: `AB:CD:…` (32 pairs). */
  fingerprint256: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1/localhost, like the one every PVE node starts
 * with. Uses the `openssl` command, so nothing is committed and nothing is downloaded.
 */
export function generateSelfSignedCertificate(commonName = 'pve-sim.localdomain'): SelfSignedCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'pve-sim-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '30',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certFile, 'utf8');
    return {
      cert,
      key: readFileSync(keyFile, 'utf8'),
      fingerprint256: new X509Certificate(cert).fingerprint256,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SHA-256 fingerprint of a PEM certificate, `AB:CD:…`. */
export function fingerprintOf(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':') ?? '';
}
