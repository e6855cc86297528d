import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PfSenseClient } from '../api/client.ts';
import { PfSenseError } from '../api/errors.ts';
import { resolveSite } from '../lib/site.ts';
import { summarizePlan } from './apply.ts';
import { formatFinding } from './findings.ts';
import { planSite, SyncBlockedError, syncSite } from './sync-all.ts';

/**
 * A runnable example of the package, and a way to try it against a real firewall before the
 * `skyy firewall` commands exist:
 *
 *   node --import tsx components/firewall/pfsense/ops/sync-example.ts plan \
 *     --url https://127.0.0.1:8443 --api-key env:PFSENSE_HARG_API_KEY --insecure \
 *     --file desired_state/networking/networking_hargett.yaml \
 *     --public-subnet 38.247.82.0/23 --lan-interface opt3 --lan-subnet 69.1.0.0/22
 *
 * `plan` validates and prints the plan; `apply` syncs; `preview` checks every write with dry_run.
 */

const USAGE =
  'usage: sync-example.ts plan|apply|preview --url https://firewall [--api-key env:NAME] [--fingerprint AA:…|--ca-file f|--insecure] [--file networking.yaml]';

/** A mistake of the person running the example: one line and the usage, never a stack trace. */
function usage(message: string): never {
  process.stderr.write(`${message ? `sync-example: ${message}\n` : ''}${USAGE}\n`);
  process.exit(2);
}

const options = {
  url: { type: 'string' },
  'api-key': { type: 'string', default: 'env:PFSENSE_API_KEY' },
  fingerprint: { type: 'string' },
  'ca-file': { type: 'string' },
  insecure: { type: 'boolean', default: false },
  file: { type: 'string', default: 'desired_state/networking/networking_hargett.yaml' },
  'public-subnet': { type: 'string', default: '38.247.82.0/23' },
  'lan-interface': { type: 'string', default: 'opt3' },
  'lan-subnet': { type: 'string', default: '69.1.0.0/22' },
} as const;

function parseFlags() {
  try {
    return parseArgs({ allowPositionals: true, options });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}
const { positionals, values } = parseFlags();

const command = positionals[0] ?? 'plan';
if (!['plan', 'apply', 'preview'].includes(command)) usage(`unknown command ${command}`);
if (!values.url) usage('--url is required');
const keyRef = values['api-key'];
const key = keyRef.startsWith('env:') ? process.env[keyRef.slice(4)] : keyRef;
if (!key) usage(`the API key ${keyRef} is not set`);

const client = new PfSenseClient({
  baseUrl: values.url,
  auth: { type: 'api-key', key },
  tls: { fingerprint: values.fingerprint, caFile: values['ca-file'], insecure: values.insecure },
});
const site = resolveSite('example', {
  public_subnet: values['public-subnet'],
  lan_interface: values['lan-interface'],
  lan_subnet: values['lan-subnet'],
});
let text = '';
try {
  text = readFileSync(values.file, 'utf8');
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  usage(`cannot read ${values.file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
}
const source = { text, file: values.file };

try {
  if (command === 'plan') {
    const { findings, plan } = await planSite(client, site, source);
    for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
    process.stdout.write(`${summarizePlan(plan)}\n`);
  } else {
    const result = await syncSite(client, site, source, {
      dryRun: command === 'preview',
      log: (entry) => process.stdout.write(`${entry.level.padEnd(5)} ${entry.message}\n`),
    });
    if (result.preview) {
      const refused = result.preview.checks.filter((c) => !c.accepted);
      process.stdout.write(
        result.preview.supported
          ? `${result.preview.checks.length} writes checked, ${refused.length} refused\n`
          : 'this REST API package has no dry_run; plan only\n',
      );
      for (const check of refused)
        process.stdout.write(`refused: ${check.change.kind} ${check.change.key}: ${check.message ?? ''}\n`);
    }
    if (result.report)
      process.stdout.write(
        `converged: ${result.report.converged}, applied: ${result.report.applied.join(', ')}\n`,
      );
  }
} catch (error) {
  // Unreachable firewall, refused key, unpinned self-signed certificate: one line says which call and why.
  if (error instanceof PfSenseError) {
    const hint = /certificate/i.test(error.message)
      ? ' (trust it with --fingerprint <its SHA-256, as the simulator prints it>, --ca-file, or --insecure)'
      : '';
    process.stderr.write(`sync-example: ${error.message}${hint}\n`);
  } else if (error instanceof SyncBlockedError)
    for (const finding of error.findings) process.stdout.write(`${formatFinding(finding)}\n`);
  else throw error;
  process.exitCode = 1;
} finally {
  await client.close();
}
