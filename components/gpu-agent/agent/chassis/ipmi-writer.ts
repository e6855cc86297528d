import { runChecked, type CommandRunner } from '../../utils/runner.ts';
import { dutyByte, hexByte, zoneByte } from './level-rule.ts';

/**
 * The Supermicro H12 raw IPMI commands of the user's hs-fan-daemon.sh, through `ipmitool`
 * (no shell, each call with a timeout: a wedged BMC must not stall control):
 *
 *   raw 0x30 0x45 0x00                         read the fan mode (" 01" = Full Speed)
 *   raw 0x30 0x45 0x01 <mode>                  set it: 0x01 Full Speed (needed for manual duty),
 *                                              0x02 Optimal, 0x04 Heavy I/O
 *   raw 0x30 0x70 0x66 0x01 <zone> <duty>      zone duty in percent, as a byte (40 % → 0x28)
 */

export const FULL_SPEED_MODE = 0x01;

export const ipmiArgs = {
  readMode: (): string[] => ['raw', '0x30', '0x45', '0x00'],
  setMode: (mode: number): string[] => ['raw', '0x30', '0x45', '0x01', hexByte(mode)],
  setDuty: (zone: number, level: number): string[] => [
    'raw',
    '0x30',
    '0x70',
    '0x66',
    '0x01',
    zoneByte(zone),
    dutyByte(level),
  ],
};

export interface ChassisWriter {
  readonly name: string;
  /** The BMC's fan mode, or undefined when its answer is not a mode byte. */
  readMode(): Promise<number | undefined>;
  setMode(mode: number): Promise<void>;
  setDuty(zone: number, level: number): Promise<void>;
}

export class IpmitoolWriter implements ChassisWriter {
  constructor(
    private readonly runner: CommandRunner,
    private readonly ipmitool: string,
    private readonly timeoutMs: number,
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  get name(): string {
    return this.ipmitool;
  }

  private run(args: string[]) {
    return runChecked(this.runner, this.ipmitool, args, {
      timeoutMs: this.timeoutMs,
      ...(this.env ? { env: this.env } : {}),
    });
  }

  async readMode(): Promise<number | undefined> {
    const { stdout } = await this.run(ipmiArgs.readMode());
    const byte = stdout.replace(/\s+/g, '');
    return /^[0-9a-f]{2}$/i.test(byte) ? Number.parseInt(byte, 16) : undefined;
  }

  async setMode(mode: number): Promise<void> {
    await this.run(ipmiArgs.setMode(mode));
  }

  async setDuty(zone: number, level: number): Promise<void> {
    await this.run(ipmiArgs.setDuty(zone, level));
  }
}
