import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { treeSnapshot, type TreeSnapshot } from './proc-usage.ts';

/**
 * The resource half of the GPU agent benchmark: the real agent process (the installed bundle, as
 * systemd runs it, or main.ts from its sources) is started and left to warm up, then its CPU time
 * and memory, and its children's, are read from /proc over a measured window. The caller prepares
 * the simulated host and the config.
 */

/** How node starts the agent from its sources, as `npm run gpu-agent` does. */
export const FROM_SOURCES = ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))];

export interface AgentRun {
  /** node's arguments up to the agent's own: FROM_SOURCES, or the bundle's path. */
  entry: string[];
  /** Arguments after `run`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  warmupS: number;
  measureS: number;
  /** Called once, right after the baseline sample (e.g. the load step). */
  atStart?: () => void;
  sampleEveryMs?: number;
}

export interface CpuShare {
  seconds: number;
  perHourS: number;
  /** Percent of one core. */
  pct: number;
}

export interface AgentUsage {
  measuredS: number;
  agent: CpuShare;
  /** The long-running `nvidia-smi … -lms` reader. */
  sampler: CpuShare;
  /** Every other child: writes (nvidia-settings, nvidia-smi -pl), restarts; exited or still running. */
  commands: CpuShare;
  total: CpuShare;
  agentPeakRssMiB: number;
  agentRssMiB: number;
  samplerPeakRssMiB: number;
  /** Largest peak RSS seen among short-lived commands (sampled, so a very short one can be missed). */
  commandPeakRssMiB: number;
  /** Short-lived commands caught by the sampling, by name: how many distinct processes. */
  commandsSeen: Record<string, number>;
  /** The agent's own counters from /metrics (summed over labels): their increase over the window. */
  counters: Record<string, number>;
  warnings: string[];
}

const isSampler = (command: string) => command.includes('-lms');

/** `node /…/bin/nvidia-settings -c :0 …` → `nvidia-settings`: the tool, not its interpreter. */
function commandName(command: string): string {
  const words = command.split(' ');
  const interpreted = /(^|\/)(node|sh|bash|python3?)$/.test(words[0] ?? '');
  const tool = (interpreted ? words.find((w, i) => i > 0 && !w.startsWith('-')) : words[0]) ?? command;
  return tool.split('/').at(-1) ?? tool;
}

function cpuParts(tree: TreeSnapshot): { agent: number; sampler: number; commands: number } {
  let sampler = 0;
  let commands = tree.root.reapedChildrenCpuS;
  for (const child of tree.children) {
    const cpu = child.selfCpuS + child.reapedChildrenCpuS;
    if (isSampler(child.command)) sampler += cpu;
    else commands += cpu;
  }
  return { agent: tree.root.selfCpuS, sampler, commands };
}

export async function measureAgent(run: AgentRun): Promise<AgentUsage> {
  const child = spawn(process.execPath, [...run.entry, 'run', ...run.args], {
    env: run.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const pid = child.pid;
  if (pid === undefined) throw new Error('gpu-agent did not start');
  const warnings: string[] = [];
  let apiUrl: string | undefined;
  const onLine = (line: string) => {
    apiUrl ??= /API on (http:\/\/\S+)/.exec(line)?.[1];
    if (/ (WARN|ERROR) /.test(line) && warnings.length < 20) warnings.push(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', (line) => warnings.length < 20 && warnings.push(line));

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const startDeadline = Date.now() + 60_000;
    while (!apiUrl) {
      if (child.exitCode !== null)
        throw new Error(`gpu-agent exited (${child.exitCode}):\n${warnings.join('\n')}`);
      if (Date.now() > startDeadline) throw new Error('gpu-agent did not start its API within 60 s');
      await sleep(100);
    }
    await sleep(run.warmupS * 1000);

    const countersBefore = await readCounters(apiUrl);
    const first = treeSnapshot(pid);
    if (!first) throw new Error('gpu-agent exited during warm-up');
    const startedAt = performance.now();
    run.atStart?.();
    let last = first;
    let samplerPeak = 0;
    let commandPeak = 0;
    const seen = new Map<number, string>();
    const observe = (tree: TreeSnapshot) => {
      for (const c of tree.children) {
        if (isSampler(c.command)) {
          samplerPeak = Math.max(samplerPeak, c.peakRssMiB);
        } else {
          commandPeak = Math.max(commandPeak, c.peakRssMiB);
          // An empty command line is an exited child not yet reaped; the agent's own, a fork not yet exec'd.
          if (c.command !== '' && c.command !== tree.root.command) seen.set(c.pid, commandName(c.command));
        }
      }
    };
    observe(first);
    const endAt = startedAt + run.measureS * 1000;
    while (performance.now() < endAt) {
      await sleep(Math.min(run.sampleEveryMs ?? 500, Math.max(0, endAt - performance.now())));
      const tree = treeSnapshot(pid);
      if (!tree) throw new Error(`gpu-agent exited during the measurement:\n${warnings.join('\n')}`);
      observe(tree);
      last = tree;
    }
    const measuredS = (performance.now() - startedAt) / 1000;
    const countersAfter = await readCounters(apiUrl);
    const counters = Object.fromEntries(
      Object.entries(countersAfter).map(([name, value]) => [name, value - (countersBefore[name] ?? 0)]),
    );

    const before = cpuParts(first);
    const after = cpuParts(last);
    const share = (seconds: number): CpuShare => ({
      seconds,
      perHourS: (seconds / measuredS) * 3600,
      pct: (seconds / measuredS) * 100,
    });
    const agent = after.agent - before.agent;
    const sampler = after.sampler - before.sampler;
    const commands = after.commands - before.commands;
    return {
      measuredS,
      agent: share(agent),
      sampler: share(sampler),
      commands: share(commands),
      total: share(agent + sampler + commands),
      agentPeakRssMiB: last.root.peakRssMiB,
      agentRssMiB: last.root.rssMiB,
      samplerPeakRssMiB: samplerPeak,
      commandPeakRssMiB: commandPeak,
      commandsSeen: [...seen.values()].reduce<Record<string, number>>(
        (counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }),
        {},
      ),
      counters,
      warnings,
    };
  } finally {
    // SIGTERM: the agent hands the (simulated) fans back to the driver, as on a real host.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

const COUNTERS = [
  'skyy_gpu_agent_samples_total',
  'skyy_gpu_agent_writes_total',
  'skyy_gpu_agent_write_failures_total',
  'skyy_gpu_agent_reading_failures_total',
  'skyy_gpu_agent_failsafe_total',
];

/** Sums each counter over its labels, from the agent's Prometheus text. */
async function readCounters(apiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const sums: Record<string, number> = {};
  for (const name of COUNTERS) {
    const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
    sums[name.replace(/^skyy_gpu_agent_|_total$/g, '')] = [...text.matchAll(pattern)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  }
  return sums;
}
