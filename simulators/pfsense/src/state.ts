import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { z } from 'zod';

/**
 * What the simulated firewall holds: config.xml as the REST API sees it (`config`) and the part
 * of it that is in force (`running`), which only catches up when an apply endpoint is called.
 */

export type SimObject = Record<string, unknown>;

export const simInterfaceSchema = z.object({
  /** pfSense's internal id: wan, lan, opt1, … */
  id: z.string(),
  /** The real (OS) interface, e.g. vtnet0. */
  if: z.string(),
  /** The user's label, e.g. WAN, DMZ. */
  descr: z.string(),
  enable: z.boolean(),
  ipaddr: z.string(),
  subnet: z.number().int().min(1).max(32),
  macaddr: z.string(),
  gateway: z.string().default(''),
});
export type SimInterface = z.output<typeof simInterfaceSchema>;

const objects = z.array(z.record(z.string(), z.unknown()));

export const simDhcpServerSchema = z.object({
  enable: z.boolean(),
  range_from: z.string().default(''),
  range_to: z.string().default(''),
  staticmap: objects.default([]),
});
export type SimDhcpServer = z.output<typeof simDhcpServerSchema>;

export const simSectionsSchema = z.object({
  vips: objects.default([]),
  nats: objects.default([]),
  rules: objects.default([]),
  /** DHCP servers keyed by interface id, in config order. */
  dhcp: z.record(z.string(), simDhcpServerSchema).default({}),
});
export type SimSections = z.output<typeof simSectionsSchema>;

export const simStateSchema = z.object({
  interfaces: z.array(simInterfaceSchema),
  config: simSectionsSchema,
  running: simSectionsSchema,
  /** pfSense subsystems with changes written but not applied: filter, natconf, vip, staticmaps. */
  dirty: z.array(z.string()).default([]),
});
export type SimState = z.output<typeof simStateSchema>;

export function defaultInterfaces(): SimInterface[] {
  return [
    iface('wan', 'vtnet0', 'WAN', '38.247.82.1', 23, '38.247.82.254'),
    iface('lan', 'vtnet1', 'LAN', '192.168.1.1', 24),
    iface('opt1', 'vtnet2', 'MGMT', '10.10.0.1', 24),
    iface('opt2', 'vtnet3', 'STORAGE', '10.20.0.1', 24),
    iface('opt3', 'vtnet4', 'DMZ', '69.1.1.1', 22),
  ];
}

function iface(
  id: string,
  dev: string,
  descr: string,
  ipaddr: string,
  subnet: number,
  gateway = '',
): SimInterface {
  const index = Number(dev.replace(/\D/g, ''));
  return {
    id,
    if: dev,
    descr,
    enable: true,
    ipaddr,
    subnet,
    macaddr: `00:0c:29:5e:4a:${index.toString(16).padStart(2, '0')}`,
    gateway,
  };
}

/** A firewall as it looks after setup: interfaces, DHCP on LAN and DMZ, nothing mapped yet. */
export function defaultState(interfaces: SimInterface[] = defaultInterfaces()): SimState {
  const dhcp: Record<string, SimDhcpServer> = {};
  for (const id of ['lan', 'opt3']) {
    if (interfaces.some((i) => i.id === id))
      dhcp[id] = { enable: true, range_from: '', range_to: '', staticmap: [] };
  }
  const config: SimSections = { vips: [], nats: [], rules: [], dhcp };
  return { interfaces, config, running: structuredClone(config), dirty: [] };
}

/** A state file that does not load says which file, what is wrong first, and what to do. */
function stateFileProblem(file: string, error: unknown, fresh: string): Error {
  const issue = (error as { issues?: { path?: PropertyKey[]; message?: string }[] }).issues?.[0];
  const problem = issue
    ? `${issue.path?.map(String).join('.') || '(top level)'}: ${issue.message ?? 'invalid'}`
    : error instanceof Error
      ? error.message
      : String(error);
  return new Error(`${file} is not a valid simulator state (${problem}); fix it, or delete it to ${fresh}`, {
    cause: error,
  });
}

export function loadStateFile(path: string): SimState {
  const text = readFileSync(path, 'utf8');
  try {
    return simStateSchema.parse(JSON.parse(text));
  } catch (error) {
    throw stateFileProblem(path, error, 'start from the default firewall');
  }
}

/** Written through a temporary file so that a crash never leaves half a state behind. */
export function saveStateFile(path: string, state: SimState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}
