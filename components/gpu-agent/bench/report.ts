import type { GpuStepResult } from './control-quality.ts';
import type { AgentUsage } from './resource-usage.ts';

/** How the GPU agent benchmark prints its figures: fixed-width tables for a terminal or a log. */

export const f1 = (n: number) => n.toFixed(1);
export const pad = (text: string | number, width: number) => String(text).padStart(width);

export function printUsage(usage: AgentUsage, withChildren: boolean, writeMode: boolean): void {
  const row = (name: string, share: AgentUsage['agent'], rss: string) =>
    console.log(
      `${name.padEnd(38)} ${pad(share.seconds.toFixed(2), 8)} ${pad(f1(share.perHourS), 10)} ${pad(share.pct.toFixed(2), 7)}  ${rss}`,
    );
  console.log(
    `${'process'.padEnd(38)} ${pad('CPU s', 8)} ${pad('CPU s/h', 10)} ${pad('CPU %', 7)}  peak RSS`,
  );
  row('agent', usage.agent, `${f1(usage.agentPeakRssMiB)} MiB (now ${f1(usage.agentRssMiB)})`);
  if (withChildren) {
    row('nvidia-smi -lms reader (fake: node)', usage.sampler, `${f1(usage.samplerPeakRssMiB)} MiB`);
    row(
      'other children: writes (fake: node)',
      usage.commands,
      `${f1(usage.commandPeakRssMiB)} MiB (largest seen)`,
    );
    row('total', usage.total, '');
  } else if (usage.commands.seconds > 0) {
    row('child processes', usage.commands, '');
  }
  const c = usage.counters;
  console.log(
    `over ${f1(usage.measuredS)} s: ${c['samples']} samples, ${c['writes']} writes, ${c['write_failures']} write failures, ${c['reading_failures']} reading failures, ${c['failsafe']} fail-safe entries`,
  );
  const writes = c['writes'] ?? 0;
  if (withChildren && writeMode && writes > 0) {
    console.log(
      `write commands: ${(usage.commands.seconds / writes).toFixed(2)} CPU s per write — the fake nvidia-settings and nvidia-smi are node scripts (start-up dominates); the real tools are native binaries, and the NVML path writes in-process`,
    );
  }
  const seen = Object.entries(usage.commandsSeen);
  if (seen.length > 0) {
    console.log(
      `commands caught by sampling (every 0.5 s): ${seen.map(([name, n]) => `${name} ×${n}`).join(', ')}`,
    );
  }
  for (const warning of usage.warnings.slice(0, 5)) console.log(`  agent said: ${warning}`);
}

export const STEP_HEADER = `${'poll'.padEnd(5)} ${pad('room', 5)} ${pad('peak °C', 8)} ${pad('overshoot', 9)} ${pad('settling', 9)} ${pad('fan Δ/min', 9)} ${pad('PL Δ/min', 8)}  steady: temp °C, fan %, PL W`;

export function stepRow(poll: string, ambientC: number, r: GpuStepResult): string {
  const span = (x: { min: number; max: number }, digits: number) =>
    x.min.toFixed(digits) === x.max.toFixed(digits)
      ? x.min.toFixed(digits)
      : `${x.min.toFixed(digits)}–${x.max.toFixed(digits)}`;
  const settling = r.settlingS === undefined ? 'never' : `${r.settlingS} s`;
  return (
    `${poll.padEnd(5)} ${pad(`${ambientC}`, 5)} ${pad(f1(r.peakC), 8)} ${pad(f1(r.overshootC), 9)} ${pad(settling, 9)} ${pad(f1(r.fanChangesPerMin), 9)} ${pad(f1(r.powerChangesPerMin), 8)}  ` +
    `${span(r.steadyTempC, 1)}, ${span(r.steadyFanPct, 0)}, ${span(r.steadyPowerLimitW, 0)}${r.steadyBeforeSettled && r.settlingS !== undefined ? ' (window began before settling)' : ''}`
  );
}

/** The worst figure of each kind over the GPUs (they may come from different GPUs). */
export function worstOf(results: GpuStepResult[]): GpuStepResult {
  const first = results[0];
  if (!first) throw new Error('no GPU results');
  const max = (pick: (r: GpuStepResult) => number) => Math.max(...results.map(pick));
  const unsettled = results.some((r) => r.settlingS === undefined);
  return {
    ...first,
    peakC: max((r) => r.peakC),
    overshootC: max((r) => r.overshootC),
    settlingS: unsettled ? undefined : max((r) => r.settlingS ?? 0),
    fanChangesPerMin: max((r) => r.fanChangesPerMin),
    powerChangesPerMin: max((r) => r.powerChangesPerMin),
    steadyTempC: {
      min: Math.min(...results.map((r) => r.steadyTempC.min)),
      max: max((r) => r.steadyTempC.max),
    },
    steadyFanPct: {
      min: Math.min(...results.map((r) => r.steadyFanPct.min)),
      max: max((r) => r.steadyFanPct.max),
    },
    steadyPowerLimitW: {
      min: Math.min(...results.map((r) => r.steadyPowerLimitW.min)),
      max: max((r) => r.steadyPowerLimitW.max),
    },
    steadyBeforeSettled: results.some((r) => r.steadyBeforeSettled),
  };
}
