import { describe, expect, it } from 'vitest';
import { xorgBusId, xorgConfig } from './xorg-coolbits.ts';

describe('headless X config with Coolbits', () => {
  it.each([
    ['00000000:0C:00.0', 'PCI:12:0:0'],
    ['00000000:81:00.0', 'PCI:129:0:0'],
    ['0000:3B:00.1', 'PCI:59:0:1'],
    ['00000001:01:00.0', 'PCI:1@1:0:0'],
  ])('turns the bus id %s into %s', (pci, xorg) => {
    expect(xorgBusId(pci)).toBe(xorg);
  });

  it('writes one device and screen per GPU with manual fan control enabled', () => {
    const conf = xorgConfig([
      { index: 1, pciBusId: '00000000:02:00.0' },
      { index: 0, pciBusId: '00000000:01:00.0' },
    ]);
    expect(conf).toContain('    Screen 0 "screen0"\n    Screen 1 "screen1" RightOf "screen0"');
    expect(conf.match(/Option "Coolbits" "4"/g)).toHaveLength(4);
    expect(conf).toContain('BusID "PCI:2:0:0"');
    expect(() => xorgConfig([])).toThrow('no GPUs');
  });
});
