import type { ClusterGuest } from '@skyy/contracts';
import { describe, expect, it } from 'vitest';
import { attributeGpus } from './gpu-users.ts';

const gpus = ['0000:01:00', '0000:21:00', '0000:41:00'].map((pciId) => ({
  node: 'pve1',
  pciId,
  mappings: pciId === '0000:41:00' ? ['rtx3090', 'a100'] : ['rtx3090'],
}));

type Vm = Pick<ClusterGuest, 'vmid' | 'name' | 'node' | 'type' | 'template' | 'status' | 'gpus'>;
const vm = (vmid: number, status: string, ...hostpci: { pci?: string; mapping?: string }[]): Vm => ({
  vmid,
  name: `vm-${vmid}`,
  node: 'pve1',
  type: 'qemu',
  template: false,
  status,
  gpus: hostpci.map((h, i) => ({ slot: `hostpci${i}`, pci: h.pci ?? null, mapping: h.mapping ?? null })),
});

/** One line per GPU: who holds it, and who may. */
const attribution = (guests: Vm[]) =>
  attributeGpus(gpus, guests).map(
    (u, i) =>
      `${gpus[i]?.pciId}: ${u.usedBy ? `${u.usedBy.name} (${u.usedBy.via})` : '-'}` +
      (u.maybeUsedBy.length
        ? ` maybe ${u.maybeUsedBy.map((m) => `${m.name} (${m.mapping}, one of ${m.candidates})`).join(', ')}`
        : ''),
  );

describe('attributeGpus', () => {
  it.each([
    {
      name: 'a raw address holds its device whether the VM runs or not',
      guests: [vm(100, 'stopped', { pci: '0000:01:00.0' }), vm(101, 'running', { pci: '21:00' })],
      expected: ['0000:01:00: vm-100 (pci)', '0000:21:00: vm-101 (pci)', '0000:41:00: -'],
    },
    {
      name: 'a running mapping user with one free device holds it',
      guests: [
        vm(100, 'running', { pci: '0000:01:00' }),
        vm(101, 'running', { pci: '0000:21:00' }),
        vm(102, 'running', { mapping: 'rtx3090' }),
      ],
      expected: ['0000:01:00: vm-100 (pci)', '0000:21:00: vm-101 (pci)', '0000:41:00: vm-102 (mapping)'],
    },
    {
      name: 'with several free devices each one lists the users that may hold it',
      guests: [
        vm(100, 'stopped', { pci: '0000:01:00' }),
        vm(101, 'running', { mapping: 'rtx3090' }),
        vm(102, 'running', { mapping: 'rtx3090' }),
      ],
      expected: [
        '0000:01:00: vm-100 (pci) maybe vm-101 (rtx3090, one of 3), vm-102 (rtx3090, one of 3)',
        '0000:21:00: - maybe vm-101 (rtx3090, one of 3), vm-102 (rtx3090, one of 3)',
        '0000:41:00: - maybe vm-101 (rtx3090, one of 3), vm-102 (rtx3090, one of 3)',
      ],
    },
    {
      name: 'a stopped mapping user holds nothing; one VM asking for every free device holds them all',
      guests: [
        vm(100, 'stopped', { mapping: 'rtx3090' }),
        vm(101, 'running', { pci: '0000:01:00' }),
        vm(102, 'running', { mapping: 'rtx3090' }, { mapping: 'rtx3090' }),
      ],
      expected: ['0000:01:00: vm-101 (pci)', '0000:21:00: vm-102 (mapping)', '0000:41:00: vm-102 (mapping)'],
    },
    {
      name: 'only devices of the VM’s mapping are candidates',
      guests: [vm(100, 'running', { mapping: 'a100' })],
      expected: ['0000:01:00: -', '0000:21:00: -', '0000:41:00: vm-100 (mapping)'],
    },
  ])('$name', ({ guests, expected }) => {
    expect(attribution(guests)).toEqual(expected);
  });

  it('ignores templates, containers and other nodes', () => {
    const others = [
      { ...vm(100, 'running', { pci: '0000:01:00' }), template: true },
      { ...vm(101, 'running', { pci: '0000:21:00' }), node: 'pve2' },
      { ...vm(102, 'running', { mapping: 'rtx3090' }), type: 'lxc' as const },
    ];
    expect(attribution(others)).toEqual(['0000:01:00: -', '0000:21:00: -', '0000:41:00: -']);
  });
});
