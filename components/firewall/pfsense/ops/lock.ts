/**
 * One sync at a time per firewall within this process: two interleaved syncs would each plan
 * against a state the other is changing. (Across processes the backend's job system runs one
 * firewall job at a time.)
 */
const held = new Map<string, Promise<unknown>>();

export async function withFirewallLock<T>(firewall: string, fn: () => Promise<T>): Promise<T> {
  const previous = held.get(firewall) ?? Promise.resolve();
  const run = previous.then(fn);
  const settled = run.catch(() => undefined);
  held.set(firewall, settled);
  try {
    return await run;
  } finally {
    if (held.get(firewall) === settled) held.delete(firewall);
  }
}
