import path from 'node:path';
import {
  firewallSiteSettingsSchema,
  formatYamlIssue,
  parseYamlWith,
  type FirewallSiteSettings,
} from '@skyy/contracts';
import { formatFinding, resolveSite, validateFile } from '@skyy/pfsense';
import { CliError, UsageError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { loadLocalConfig } from '../../local-config.ts';
import { readNamedFile } from '../../named-paths.ts';
import { displayPath } from '../../yaml-files.ts';

export interface FirewallValidateOptions {
  io: CliIo;
  /** The networking file, in the user's `ips:` format. */
  file: string;
  /** A YAML file holding the site settings (public_subnet, lan_interface, lan_subnet, …). */
  siteSettings?: string;
  /** Take the site settings of this firewall (name or site) from config.yaml instead. */
  firewall?: string;
  output: 'text' | 'json';
}

/**
 * `skyy firewall validate`: the networking file's checks that need no firewall (shape, IPs and
 * MACs, duplicates, subnets), offline, each finding as `file:line: … Fix: …`. Exit 1 on errors.
 */
export async function firewallValidate(options: FirewallValidateOptions): Promise<number> {
  const { io } = options;
  const file = path.resolve(io.cwd, options.file);
  const shown = displayPath(file, io.cwd);
  const text = readNamedFile(options.file, io.cwd);
  const { name, settings } = siteSettingsFor(options);
  const findings = validateFile(resolveSite(name, settings), { text, file: shown });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (options.output === 'json') {
    printJson(io, { file: shown, site: name, valid: errors === 0, errors, warnings, findings });
    return errors ? 1 : 0;
  }
  for (const finding of findings) println(errors ? io.stderr : io.stdout, formatFinding(finding));
  const summary = `${shown}: ${errors} error(s), ${warnings} warning(s) (site ${name})`;
  println(errors ? io.stderr : io.stdout, summary);
  return errors ? 1 : 0;
}

function siteSettingsFor(options: FirewallValidateOptions): { name: string; settings: FirewallSiteSettings } {
  const { io } = options;
  if (options.siteSettings) {
    const file = path.resolve(io.cwd, options.siteSettings);
    const text = readNamedFile(options.siteSettings, io.cwd, '--site-settings');
    const parsed = parseYamlWith(firewallSiteSettingsSchema, text, displayPath(file, io.cwd));
    if (!parsed.ok) {
      throw new CliError(
        `invalid site settings: ${parsed.issues.map(formatYamlIssue).join('; ')}`,
        'see firewalls[].site_settings in config.example.yaml',
      );
    }
    return { name: path.basename(file).replace(/\.ya?ml$/, ''), settings: parsed.value };
  }
  const { config, file } = loadLocalConfig(io);
  const withSettings = config.firewalls.filter((f) => f.site_settings);
  const chosen = options.firewall
    ? config.firewalls.find((f) => f.name === options.firewall || f.site === options.firewall)
    : withSettings.length === 1
      ? withSettings[0]
      : undefined;
  if (!chosen) {
    if (options.firewall) {
      throw new UsageError(
        `no firewall or site named ${options.firewall} in ${file ?? 'config.yaml'}`,
        `known: ${config.firewalls.map((f) => f.name).join(', ') || 'none'}`,
      );
    }
    throw new UsageError(
      'which site settings?',
      'give --site-settings <file.yaml>, or --firewall <name> of a firewall in config.yaml',
    );
  }
  if (!chosen.site_settings) {
    throw new CliError(
      `firewall ${chosen.name} in ${file ?? 'config.yaml'} has no site_settings`,
      'add them (see config.example.yaml) or give --site-settings <file.yaml>',
    );
  }
  return { name: chosen.site, settings: chosen.site_settings };
}
