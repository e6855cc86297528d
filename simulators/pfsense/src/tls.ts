import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint as `AA:BB:…`, the form Skyy Command's TLS pinning expects. */
  fingerprint256: string;
}

/**
 * A throw-away certificate for 127.0.0.1/localhost, like the self-signed one a fresh pfSense
 * serves. Made with the `openssl` CLI (node:crypto cannot issue X.509 certificates).
 */
export function generateSelfSignedCertificate(commonName = 'pfSense-sim'): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sim-pfsense-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
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
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certPath, 'utf8');
    return {
      key: readFileSync(keyPath, 'utf8'),
      cert,
      fingerprint256: new X509Certificate(cert).fingerprint256,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
