import { PfSenseSimulator, type SimulatorOptions } from '@skyy/sim-pfsense';
import { PfSenseClient, type PfSenseClientOptions } from '../api/client.ts';

/**
 * Test and benchmark support: a simulated firewall on a loopback port and a client pointed at it.
 * Only tests and benchmarks import this (the simulator is a dev dependency).
 */
export const SIMULATOR_API_KEY = 'skyy-test-key';

export interface SimulatedFirewall {
  sim: PfSenseSimulator;
  url: string;
  client: PfSenseClient;
  close(): Promise<void>;
}

export async function startSimulatedFirewall(
  options: SimulatorOptions = {},
  clientOptions: Partial<PfSenseClientOptions> = {},
): Promise<SimulatedFirewall> {
  const sim = new PfSenseSimulator({ apiKeys: [SIMULATOR_API_KEY], ...options });
  const { url } = await sim.listen();
  const client = new PfSenseClient({
    baseUrl: url,
    auth: { type: 'api-key', key: SIMULATOR_API_KEY },
    retryBaseMs: 1,
    ...clientOptions,
  });
  return {
    sim,
    url,
    client,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}
