import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import type { AdminCreateOptions } from './commands/admin/index.ts';
import type { ApplyOptions } from './commands/apply/index.ts';
import type { BackupOptions } from './commands/backup/index.ts';
import type {
  FirewallApplyOptions,
  FirewallPlanOptions,
  FirewallValidateOptions,
} from './commands/firewall/index.ts';
import type {
  GpusConfigGetOptions,
  GpusConfigSetOptions,
  GpusListOptions,
  GpusTokenOptions,
} from './commands/gpus/index.ts';
import type { HostsImportOptions, HostsListOptions } from './commands/hosts/index.ts';
import type { LoginOptions } from './commands/login/index.ts';
import type { LogoutOptions } from './commands/logout/index.ts';
import type { PlanOptions } from './commands/plan/index.ts';
import type { ValidateOptions } from './commands/validate/index.ts';
import type { CliIo } from './io.ts';

export const version = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))).version;

/** What commander hands an action: the command's options minus io and its positional arguments. */
type Flags<T, Args extends keyof T = never> = Omit<T, 'io' | Args>;

const textOrJson = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/**
 * The command tree. Settings on the root (exitOverride, output) are copied by commander into
 * every subcommand created after them, so usage errors everywhere surface as CommanderError.
 * Each action stores its exit code through `done`. Commands load lazily: `skyy validate` never
 * pays for the database drivers that `skyy admin create` needs.
 */
export function buildProgram(io: CliIo, done: (exitCode: number) => void): Command {
  const program = new Command('skyy');
  program
    .description(
      'Skyy Command from the terminal: first admin, login, host import and listing, validation, backups',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, like every other error: `skyy: unknown option '--x' — add --help for usage`.
      outputError: (text, write) =>
        write(`skyy: ${text.replace(/^error: /, '').trimEnd()} — add --help for usage\n`),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .addHelpText(
      'after',
      examples(
        'skyy validate desired_state/',
        'skyy admin create --username alice --email alice@example.com',
        'skyy login https://skyy.example.com --username alice',
        'skyy hosts import desired_state/hosts_local/',
        'skyy hosts list --role proxmox',
        'skyy backup skyy-$(date +%F).db',
      ) +
        '\nEnvironment: SKYY_URL + SKYY_TOKEN override the stored login; SKYY_CONFIG, SKYY_DATA_DIR, DATABASE_URL\nselect the database for admin create and backup; SKYY_DEBUG=1 prints stack traces.\nExit codes: 0 ok, 1 failed, 2 bad usage.\n',
    );

  const admin = program.command('admin').description('manage accounts directly in the database');
  admin
    .command('create')
    .description(
      'create the first admin in the database of config.yaml / DATABASE_URL (works while the server runs)',
    )
    .option('--username <name>', 'login name (asked on a terminal when missing)')
    .option('--email <address>', 'email address (asked on a terminal when missing)')
    .option('--password-stdin', 'read the password from stdin instead of asking twice')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy admin create --username alice --email alice@example.com',
        'printf %s "$PASSWORD" | skyy admin create --username alice --email alice@example.com --password-stdin',
      ),
    )
    .action(async (opts: Flags<AdminCreateOptions>) =>
      done(await (await import('./commands/admin/index.ts')).adminCreate({ io, ...opts })),
    );

  program
    .command('login')
    .description('sign in, create a personal API token and store it in ~/.config/skyy/credentials.json')
    .argument('<url>', 'server address, e.g. https://skyy.example.com')
    .option('--username <name>', 'login name (asked on a terminal when missing)')
    .option('--password-stdin', 'read the password from stdin instead of asking')
    .option(
      '--token-name <name>',
      'name of the API token, as shown in the console (default: skyy-cli@<hostname>)',
    )
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy login https://skyy.example.com --username alice',
        'printf %s "$PASSWORD" | skyy login http://127.0.0.1:8080 --username alice --password-stdin',
      ),
    )
    .action(async (url: string, opts: Flags<LoginOptions, 'url'>) =>
      done(await (await import('./commands/login/index.ts')).login({ io, url, ...opts })),
    );

  program
    .command('logout')
    .description('revoke the stored API token and delete it')
    .addOption(textOrJson())
    .addHelpText('after', examples('skyy logout'))
    .action(async (opts: Flags<LogoutOptions>) =>
      done(await (await import('./commands/logout/index.ts')).logout({ io, ...opts })),
    );

  const hosts = program.command('hosts').description('host inventory on the server');
  hosts
    .command('import')
    .description('send host YAML files to the server; all or nothing: when one is invalid, none is written')
    .argument('<paths...>', 'host files, or directories whose *.yaml / *.yml files are imported')
    .option('--dry-run', 'validate and report what would change, write nothing')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy hosts import desired_state/hosts_local/ --dry-run',
        'skyy hosts import host-a.yaml host-b.yaml',
      ),
    )
    .action(async (paths: string[], opts: Flags<HostsImportOptions, 'paths'>) =>
      done(await (await import('./commands/hosts/index.ts')).hostsImport({ io, paths, ...opts })),
    );
  hosts
    .command('list')
    .description('list hosts (every page, or up to --limit)')
    .option('--role <role>', 'only hosts with this role')
    .option('--tag <tag>', 'only hosts with this tag')
    .option('--q <text>', 'hostname or IP address contains this text')
    .option('--limit <n>', 'at most this many hosts', positiveInt)
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    // Hidden: lets tests (and the curious) watch nextCursor being followed with few hosts.
    .addOption(new Option('--page-size <n>', 'hosts per request').argParser(positiveInt).hideHelp())
    .addHelpText(
      'after',
      examples(
        'skyy hosts list',
        'skyy hosts list --role proxmox --tag gpu',
        'skyy hosts list --q 192.168.210 --output json',
      ),
    )
    .action(async (opts: Flags<HostsListOptions>) =>
      done(await (await import('./commands/hosts/index.ts')).hostsList({ io, ...opts })),
    );

  program
    .command('plan')
    .description('compare the VMs declared in host files (vms:) with a Proxmox cluster and print the plan')
    .argument('<paths...>', 'host files, or directories whose *.yaml / *.yml files are read')
    .requiredOption('--cluster <name|id>', 'the cluster, as named in the console or config.yaml')
    .option('--allow-delete', 'plan to delete VMs Skyy created that no file declares anymore')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy plan desired_state/hosts/ --cluster puma',
        'skyy plan pve1.yaml pve2.yaml --cluster puma --allow-delete --output json',
      ) + '\nExit codes: 0 the plan can be applied (changes or not), 1 the plan or a file has errors.\n',
    )
    .action(async (paths: string[], opts: Flags<PlanOptions, 'paths'>) =>
      done(await (await import('./commands/plan/index.ts')).plan({ io, paths, ...opts })),
    );
  program
    .command('apply')
    .description('show the plan, confirm, apply it on the server as a job and follow its log')
    .argument('<paths...>', 'host files, or directories whose *.yaml / *.yml files are read')
    .requiredOption('--cluster <name|id>', 'the cluster, as named in the console or config.yaml')
    .option('--allow-delete', 'delete VMs Skyy created that no file declares anymore')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--restart', 'restart running VMs whose changes wait for a restart')
    .addOption(textOrJson())
    .addOption(new Option('--poll-ms <ms>', 'log polling interval').argParser(positiveInt).hideHelp())
    .addHelpText(
      'after',
      examples(
        'skyy apply desired_state/hosts/ --cluster puma',
        'skyy apply pve1.yaml --cluster puma --allow-delete --yes',
      ),
    )
    .action(async (paths: string[], opts: Flags<ApplyOptions, 'paths'>) =>
      done(await (await import('./commands/apply/index.ts')).apply({ io, paths, ...opts })),
    );

  program
    .command('validate')
    .description('check desired-state YAML locally (config.yaml, hosts*/, networking/) without a server')
    .argument('<paths...>', 'files, or directories searched for *.yaml / *.yml')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples('skyy validate desired_state/', 'skyy validate config.yaml desired_state/hosts_local/'),
    )
    .action(async (paths: string[], opts: Flags<ValidateOptions, 'paths'>) =>
      done(await (await import('./commands/validate/index.ts')).validate({ io, paths, ...opts })),
    );

  const firewall = program
    .command('firewall')
    .description('pfSense desired state: VIPs, 1:1 NAT, rules, DHCP mappings');
  firewall
    .command('validate')
    .description(
      "check a networking file offline against a site's settings; findings as file:line with the fix",
    )
    .argument('<networking.yaml>', "the site's networking file (ips: of public_ip, internal_ip, mac)")
    .option(
      '--site-settings <file>',
      'YAML file with the site settings (public_subnet, lan_interface, lan_subnet, …)',
    )
    .option('--firewall <name>', 'take the site settings of this firewall (or site) from config.yaml')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy firewall validate desired_state/networking/networking_hargett.yaml --firewall hargett-fw',
        'skyy firewall validate networking.yaml --site-settings hargett-site.yaml --output json',
      ) + '\nExit codes: 0 no errors (warnings allowed), 1 errors, 2 bad usage.\n',
    )
    .action(async (file: string, opts: Flags<FirewallValidateOptions, 'file'>) =>
      done(await (await import('./commands/firewall/index.ts')).firewallValidate({ io, file, ...opts })),
    );
  firewall
    .command('plan')
    .description('validate against the firewall and show what apply would create, update and delete')
    .argument('<firewall>', 'firewall name (or its site) as in the console or config.yaml')
    .option('--show <n>', 'list at most this many changes', positiveInt)
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples('skyy firewall plan hargett-fw', 'skyy firewall plan hargett --output json'),
    )
    .action(async (name: string, opts: Flags<FirewallPlanOptions, 'firewall'>) =>
      done(
        await (await import('./commands/firewall/index.ts')).firewallPlan({ io, firewall: name, ...opts }),
      ),
    );
  firewall
    .command('apply')
    .description('show the plan, confirm, run it on the server as a job and follow its log')
    .argument('<firewall>', 'firewall name (or its site) as in the console or config.yaml')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .option('--preview', 'let the firewall check every write with dry_run; write nothing')
    .option('--show <n>', 'list at most this many changes', positiveInt)
    .addOption(textOrJson())
    .addOption(new Option('--poll-ms <ms>', 'log polling interval').argParser(positiveInt).hideHelp())
    .addHelpText(
      'after',
      examples(
        'skyy firewall apply hargett-fw',
        'skyy firewall apply hargett-fw --preview',
        'skyy firewall apply hargett-fw --yes',
      ),
    )
    .action(async (name: string, opts: Flags<FirewallApplyOptions, 'firewall'>) =>
      done(
        await (await import('./commands/firewall/index.ts')).firewallApply({ io, firewall: name, ...opts }),
      ),
    );

  program
    .command('backup')
    .description('consistent copy of the SQLite database while the server runs (PostgreSQL: use pg_dump)')
    .argument('<file>', 'where to write the copy')
    .option('--force', 'overwrite the file when it exists')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy backup backups/skyy-$(date +%F).db',
        'SKYY_DATA_DIR=/var/lib/skyy skyy backup /tmp/skyy.db',
      ),
    )
    .action(async (file: string, opts: Flags<BackupOptions, 'file'>) =>
      done(await (await import('./commands/backup/index.ts')).backup({ io, file, ...opts })),
    );

  const gpus = program
    .command('gpus')
    .description('GPU fleet: readings, agent tokens, central gpu_config.yaml');
  gpus
    .command('list')
    .description('every GPU as its agent last reported it, then the active alerts')
    .option('--host <host>', 'only this host')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addHelpText('after', examples('skyy gpus list', 'skyy gpus list --host puma-proxmox-001 -o json'))
    .action(async (opts: Flags<GpusListOptions>) =>
      done(await (await import('./commands/gpus/index.ts')).gpusList({ io, ...opts })),
    );
  gpus
    .command('token')
    .description("issue a host's GPU agent token (admins; shown once, one per host)")
    .argument('<host>', 'the host name the agent runs with (--host, default its hostname)')
    .option('--out <file>', 'write the token to this new file (mode 0600) instead of printing it')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy gpus token puma-proxmox-001 --out agent.token',
        'sudo components/gpu-agent/scripts/install.sh --server https://skyy.example --token-file agent.token',
      ),
    )
    .action(async (host: string, opts: Flags<GpusTokenOptions, 'host'>) =>
      done(await (await import('./commands/gpus/index.ts')).gpusToken({ io, host, ...opts })),
    );
  const gpuConfig = gpus.command('config').description('the central gpu_config.yaml the agents fetch');
  gpuConfig
    .command('get')
    .description("print a host's config (its own, else the fleet default), or the fleet default")
    .option('--host <host>', 'the host; the fleet default when absent')
    .addOption(textOrJson())
    .addHelpText('after', examples('skyy gpus config get', 'skyy gpus config get --host puma-proxmox-001'))
    .action(async (opts: Flags<GpusConfigGetOptions>) =>
      done(await (await import('./commands/gpus/index.ts')).gpusConfigGet({ io, ...opts })),
    );
  gpuConfig
    .command('set')
    .description(
      'store a gpu_config.yaml for a host or the fleet; agents apply it within seconds (older agents at their next poll, within 60 s)',
    )
    .argument('<file>', 'gpu_config.yaml')
    .option('--host <host>', 'the host; the fleet default when absent')
    .addOption(textOrJson())
    .addHelpText(
      'after',
      examples(
        'skyy gpus config set components/gpu-agent/local_config/gpu_config.yaml',
        'skyy gpus config set hot-room.yaml --host puma-proxmox-007',
      ),
    )
    .action(async (file: string, opts: Flags<GpusConfigSetOptions, 'file'>) =>
      done(await (await import('./commands/gpus/index.ts')).gpusConfigSet({ io, file, ...opts })),
    );

  return program;
}
