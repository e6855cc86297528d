import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import {
  addSimulatorCluster,
  shortenProxmoxTimings,
  startTlsSimulator,
} from '../../backend/src/app/clusters/testing/proxmox-lab.ts';
import { signInAs, type SignedInUser } from '../../backend/test/auth-helpers.ts';
import { startConsole, type ConsoleUnderTest } from './console.ts';

/** The console with a Proxmox simulator (HTTPS, pinned fingerprint) registered as cluster `puma`. */
export interface ProxmoxConsole {
  app: ConsoleUnderTest;
  sim: ProxmoxSimulator;
  operator: SignedInUser;
  clusterId: string;
  close(): Promise<void>;
}

export async function startProxmoxConsole(): Promise<ProxmoxConsole> {
  const lab = await startTlsSimulator();
  const app = await startConsole();
  shortenProxmoxTimings(app.t);
  const admin = await signInAs(app.t, 'admin');
  const operator = await signInAs(app.t, 'operator');
  const cluster = await addSimulatorCluster(app.t, admin.headers, lab.sim, lab.fingerprint, 'puma');
  return {
    app,
    sim: lab.sim,
    operator,
    clusterId: cluster.id,
    async close() {
      await app.close();
      await lab.sim.close();
    },
  };
}
