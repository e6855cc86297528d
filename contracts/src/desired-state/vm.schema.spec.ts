import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatYamlIssue, parseYamlWith } from '../yaml/parse-yaml.ts';
import { hostFileJsonSchema } from './host-json-schema.ts';
import { hostFileSchema } from './host.schema.ts';

const header = `hostname: puma-proxmox-005
ip_address: 192.168.210.105
roles: [proxmox, gpu]
settings:
  os: proxmox
`;

function parse(vms: string) {
  return parseYamlWith(hostFileSchema, `${header}vms:\n${vms}`, 'hosts/puma-proxmox-005.yaml');
}

describe('desired VMs in a host file', () => {
  it('reads a VM in the user format and normalizes sizes and MACs', () => {
    const result = parse(`  - name: gpu-worker-01
    template: ubuntu-2404-cloud
    cores: 16
    memory: 64G
    cpu_type: host
    disks:
      - { storage: ceph-vm, size: 200G }
      - { slot: scsi1, storage: local-lvm, size: 1T }
    nics:
      - { bridge: vmbr1, vlan: 502, mac: "02:00:2e:8c:5e:78", ip: 69.1.1.2/24, gateway: 69.1.1.1 }
    gpus:
      - { model: RTX 3090 }
      - { mapping: rtx3090, primary: true }
    cloud_init: { user: skyy, ssh_keys: ["ssh-ed25519 AAAAC3Nza ops@example"] }
    tags: [customer-a]
    protect: true
`);
    expect(result.ok).toBe(true);
    const vm = result.ok ? result.value.vms?.[0] : undefined;
    expect(vm).toMatchObject({
      name: 'gpu-worker-01',
      template: 'ubuntu-2404-cloud',
      full_clone: true,
      cores: 16,
      sockets: 1,
      memory: 65536,
      disks: [
        { storage: 'ceph-vm', size: 200 },
        { slot: 'scsi1', storage: 'local-lvm', size: 1024 },
      ],
      nics: [
        {
          bridge: 'vmbr1',
          vlan: 502,
          mac: '02:00:2E:8C:5E:78',
          model: 'virtio',
          ip: '69.1.1.2/24',
          gateway: '69.1.1.1',
        },
      ],
      gpus: [
        { model: 'RTX 3090', pcie: true, primary: false },
        { mapping: 'rtx3090', pcie: true, primary: true },
      ],
      onboot: false,
      start: true,
      protect: true,
    });
  });

  it('reports mistakes at their line and column', () => {
    const result = parse(`  - name: web-1
    cores: 2
    memory: 4096
    corse: 4
    nics:
      - { bridge: vmbr0, vlan: 5000 }
      - { bridge: vmbr0, gateway: 10.0.0.1 }
  - name: web-1
    cores: 1
    memory: lots
    template: ubuntu
    iso: local:iso/ubuntu.iso
`);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues.map(formatYamlIssue);
    expect(issues).toEqual([
      'hosts/puma-proxmox-005.yaml:12:26: vms[0].nics[0].vlan: Too big: expected number to be <=4094',
      'hosts/puma-proxmox-005.yaml:10:5: vms[0].corse: unknown key (check the spelling)',
      'hosts/puma-proxmox-005.yaml:13:26: vms[0].nics[1].gateway: a gateway needs a static ip',
      'hosts/puma-proxmox-005.yaml:16:5: vms[1].memory: expected a size like 16G or 16384M',
      'hosts/puma-proxmox-005.yaml:18:5: vms[1].iso: a VM is cloned from a template or installed from an ISO, not both',
      "hosts/puma-proxmox-005.yaml:14:5: vms[1].name: VM name 'web-1' is already used by vms[0]",
    ]);
  });

  it('refuses duplicate names, template plus ISO, and a gateway without a static address', () => {
    const result = parse(`  - name: a
    cores: 1
    memory: 1G
    template: tpl
    iso: local:iso/x.iso
    nics: [{ bridge: vmbr0, gateway: 10.0.0.1 }]
  - name: a
    cores: 1
    memory: 1G
`);
    const messages = result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      'vms[0].iso: a VM is cloned from a template or installed from an ISO, not both',
      'vms[0].nics[0].gateway: a gateway needs a static ip',
      "vms[1].name: VM name 'a' is already used by vms[0]",
    ]);
  });

  it('keeps the committed JSON Schema for editors in step with the zod schema', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../desired_state/schemas/host.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed, 'run `npm run schema:host` after changing the host or VM schema').toEqual(
      hostFileJsonSchema(),
    );
  });
});
