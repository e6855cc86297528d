import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process and its children from /proc (Linux only), for the resource
 * half of the GPU agent benchmark. Read from outside, so the measurement costs the agent nothing.
 */

export interface ProcSnapshot {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, seconds. */
  selfCpuS: number;
  /** cutime + cstime: children that have exited and been waited for, seconds. */
  reapedChildrenCpuS: number;
  /** VmHWM (peak resident set), MiB. */
  peakRssMiB: number;
  rssMiB: number;
  command: string;
}

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** undefined when the process is gone (it may exit between listing and reading). */
export function snapshot(pid: number): ProcSnapshot | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state) of proc(5): utime is field 14 → index 11.
    const tick = (i: number) => Number(fields[i]) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return {
      pid,
      ppid: Number(fields[1]),
      selfCpuS: tick(11) + tick(12),
      reapedChildrenCpuS: tick(13) + tick(14),
      peakRssMiB: kib('VmHWM') / 1024,
      rssMiB: kib('VmRSS') / 1024,
      command,
    };
  } catch {
    return undefined;
  }
}

/** Live children of `pid` (direct ones: the agent spawns its tools directly, without a shell). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan every process for its parent.
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((child) => snapshot(child)?.ppid === pid);
  }
}

/** A process and its live children at one instant. */
export interface TreeSnapshot {
  root: ProcSnapshot;
  children: ProcSnapshot[];
}

export function treeSnapshot(pid: number): TreeSnapshot | undefined {
  const root = snapshot(pid);
  if (!root) return undefined;
  const children = childrenOf(pid)
    .map(snapshot)
    .filter((child): child is ProcSnapshot => child !== undefined);
  return { root, children };
}
