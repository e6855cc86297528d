import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { PfSenseSimulator, type SimulatorOptions } from './server.ts';
import { generateSelfSignedCertificate } from './tls.ts';

/** `npm run sim:pfsense -- --port 8443 --api-key …`: a simulated pfSense until Ctrl-C. */

const number = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError(`${name} must be a non-negative number`);
  return parsed;
};

const program = new Command('sim-pfsense')
  .description('pfSense REST API v2 simulator (VIPs, 1:1 NAT, rules, DHCP static mappings, status, apply)')
  .option('--port <port>', 'port to listen on', number('--port'), 8443)
  .option('--host <host>', 'address to listen on (loopback unless you mean it)', '127.0.0.1')
  .option('--api-key <key...>', 'accepted X-API-Key value(s)', ['sim-api-key'])
  .option('--user <name:password...>', 'Basic-auth user(s), also used for JWT', ['admin:pfsense'])
  .option('--tls', 'serve HTTPS with a fresh self-signed certificate (fingerprint printed)')
  .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
  .option('--tls-key <file>', 'private key for --tls-cert (PEM)')
  .option('--state <file>', 'load state from this JSON file if it exists; save changes back to it')
  .option('--latency <ms>', 'fixed delay added to every request', number('--latency'), 0)
  .option('--jitter <ms>', 'random extra delay, 0..ms', number('--jitter'), 0)
  .option('--fault-rate <p>', 'probability 0..1 that a request fails with a 5xx', number('--fault-rate'), 0)
  .addOption(
    new Option('--fault-phase <phase>', 'fail before the change (502) or after it took effect (500)')
      .choices(['before', 'after', 'either'])
      .default('either'),
  )
  .option('--lost-writes', 'overlapping writes silently lose one of the changes, as config.xml does')
  .option('--write-duration <ms>', 'how long a write holds config.xml', number('--write-duration'))
  .addOption(
    new Option('--represent-interfaces-as <how>', 'how interfaces appear in responses (REST API setting)')
      .choices(['descr', 'id', 'if'])
      .default('descr'),
  )
  .option('--no-plural-static-mappings', 'answer 404 on …/static_mappings like packages before v2.5')
  .option('--restapi-version <version>', 'REST API package version (dry_run needs v2.8.0+)', 'v2.8.0')
  .option('--seed <n>', 'seed for jitter and fault draws', number('--seed'), 1);

program.parse();
const opts = program.opts<{
  port: number;
  host: string;
  apiKey: string[];
  user: string[];
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  state?: string;
  latency: number;
  jitter: number;
  faultRate: number;
  faultPhase: 'before' | 'after' | 'either';
  lostWrites?: boolean;
  writeDuration?: number;
  representInterfacesAs: 'descr' | 'id' | 'if';
  pluralStaticMappings: boolean;
  restapiVersion: string;
  seed: number;
}>();

// Startup problems (port taken, unreadable certificate or state file) are the user's to fix:
// one line naming them, exit 1, no stack trace.
function fail(error: unknown): never {
  return program.error(`sim-pfsense: ${error instanceof Error ? error.message : String(error)}`, {
    exitCode: 1,
  });
}

let tls: SimulatorOptions['tls'];
let fingerprint: string | undefined;
if (opts.tlsCert && opts.tlsKey) {
  try {
    tls = { cert: readFileSync(opts.tlsCert, 'utf8'), key: readFileSync(opts.tlsKey, 'utf8') };
  } catch (error) {
    fail(error);
  }
} else if (opts.tlsCert || opts.tlsKey) {
  program.error('--tls-cert and --tls-key go together', { exitCode: 2 });
} else if (opts.tls) {
  const generated = generateSelfSignedCertificate();
  tls = generated;
  fingerprint = generated.fingerprint256;
}

const users = Object.fromEntries(
  opts.user.map((pair) => {
    const colon = pair.indexOf(':');
    if (colon < 1) program.error(`--user expects name:password, got ${pair}`, { exitCode: 2 });
    return [pair.slice(0, colon), pair.slice(colon + 1)];
  }),
);

let simulator: PfSenseSimulator;
try {
  simulator = new PfSenseSimulator({
    apiKeys: opts.apiKey,
    users,
    tls,
    stateFile: opts.state,
    latency: { fixedMs: opts.latency, randomMs: opts.jitter },
    faults: { rate: opts.faultRate, phase: opts.faultPhase },
    lostWrites: opts.lostWrites ?? false,
    writeDurationMs: opts.writeDuration,
    representInterfacesAs: opts.representInterfacesAs,
    pluralStaticMappings: opts.pluralStaticMappings,
    restApiVersion: opts.restapiVersion,
    seed: opts.seed,
  });
} catch (error) {
  fail(error);
}

const { url } = await simulator.listen(opts.port, opts.host).catch(fail);
process.stdout.write(`pfSense simulator listening on ${url}\n`);
if (fingerprint) process.stdout.write(`TLS certificate SHA-256 fingerprint: ${fingerprint}\n`);
if (opts.state) process.stdout.write(`state file: ${opts.state}\n`);

const stop = () => {
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
