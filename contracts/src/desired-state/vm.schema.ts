import * as z from 'zod';
import { macAddressSchema } from './networking.schema.ts';

/**
 * Desired VMs: the optional `vms:` list of a host file (`desired_state/hosts/<host>.yaml`).
 * The host file's `hostname` is the Proxmox node the VMs live on. A VM is identified by its
 * `name` plus Skyy's tag on the Proxmox side, never by guessing.
 *
 * ```yaml
 * vms:
 *   - name: gpu-worker-01
 *     template: ubuntu-2404-cloud      # clone this template (name or VMID); omit for a fresh VM
 *     cores: 16
 *     memory: 64G
 *     disks: [{ storage: ceph-vm, size: 200G }]
 *     nics: [{ bridge: vmbr1, vlan: 502, mac: "02:00:2e:8c:5e:78", ip: 69.1.1.2/24, gateway: 69.1.1.1 }]
 *     gpus: [{ model: RTX 3090 }]      # any free RTX 3090 on this node; or { mapping: rtx3090 } / { pci: "0000:41:00" }
 *     cloud_init: { user: skyy, ssh_keys: ["ssh-ed25519 AAAA… ops@example"] }
 *     protect: true
 * ```
 */

const LABEL = '[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?';

export const vmNameSchema = z
  .string()
  .max(63)
  .regex(
    new RegExp(`^${LABEL}(\\.${LABEL})*$`),
    'expected a DNS name like gpu-worker-01 (letters, digits, -)',
  );

const UNIT_POWER = { K: -2, M: -1, G: 0, T: 1 } as const;

/** `64G`, `64GiB`, `512M`, `1T` or a number of GiB → GiB. */
export const diskSizeSchema = z
  .union([
    z.number().positive(),
    z.string().regex(/^\d+(\.\d+)?\s*([KMGTkmgt])(i?B)?$/, 'expected a size like 64G, 512M or 1T'),
  ])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const match = /^(\d+(?:\.\d+)?)\s*([KMGT])/i.exec(value) as RegExpExecArray;
    return (
      Number(match[1]) * 1024 ** UNIT_POWER[(match[2] as string).toUpperCase() as keyof typeof UNIT_POWER]
    );
  });

/** `16G`, `16GiB`, `16384M` or a number of MiB → MiB. */
export const memorySizeSchema = z
  .union([
    z.number().int().min(16),
    z.string().regex(/^\d+(\.\d+)?\s*([MGTmgt])(i?B)?$/, 'expected a size like 16G or 16384M'),
  ])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const match = /^(\d+(?:\.\d+)?)\s*([MGT])/i.exec(value) as RegExpExecArray;
    return Math.round(
      Number(match[1]) * 1024 ** (UNIT_POWER[(match[2] as string).toUpperCase() as 'M' | 'G' | 'T'] + 1),
    );
  });

const storageIdSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]$/, 'expected a Proxmox storage id like local-lvm');

const ipv4Cidr = z.cidrv4({ error: 'expected dhcp or an IPv4 address with prefix, like 10.0.0.5/24' });

export const vmDiskSchema = z.strictObject({
  /** Bus and index; default scsi0, scsi1, … in list order. */
  slot: z
    .string()
    .regex(
      /^(scsi([12]?[0-9]|30)|virtio(1?[0-9])|sata[0-5])$/,
      'expected a disk slot like scsi0, virtio1 or sata2',
    )
    .optional(),
  storage: storageIdSchema,
  size: diskSizeSchema,
});

export const vmNicSchema = z.strictObject({
  bridge: z.string().regex(/^[\w.-]+$/, 'expected a bridge like vmbr0'),
  vlan: z.number().int().min(1).max(4094).optional(),
  /** Kept when given (the `02:00:…` MACs of the networking map); PVE generates one otherwise. */
  mac: macAddressSchema
    .refine((mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0, 'a multicast MAC cannot be a NIC address')
    .transform((mac) => mac.replace(/-/g, ':').toUpperCase())
    .optional(),
  model: z.enum(['virtio', 'e1000', 'e1000e', 'vmxnet3', 'rtl8139']).default('virtio'),
  firewall: z.boolean().optional(),
  /** Cloud-init address of this NIC: `dhcp` or `10.0.0.5/24`. */
  ip: z.union([z.literal('dhcp'), ipv4Cidr]).optional(),
  gateway: z.ipv4().optional(),
});

const gpuOptions = {
  /** Pass through as a PCIe device (needs the q35 machine type, which Skyy sets). */
  pcie: z.boolean().default(true),
  /** Primary GPU of the VM (`x-vga`). */
  primary: z.boolean().default(false),
};

export const vmGpuSchema = z.union([
  /** A cluster PCI mapping (Datacenter → Resource Mappings): any free device of it on the VM's node. */
  z.strictObject({
    mapping: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]+$/, 'expected a mapping id like rtx3090'),
    ...gpuOptions,
  }),
  /** Any free GPU whose name contains this, on the VM's node: `RTX 3090`. */
  z.strictObject({ model: z.string().min(2), ...gpuOptions }),
  /** A fixed PCI address on the VM's node: `0000:41:00` (all functions) or `41:00.0`. */
  z.strictObject({
    pci: z
      .string()
      .regex(
        /^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(\.[0-7])?$/,
        'expected a PCI address like 0000:41:00',
      ),
    ...gpuOptions,
  }),
]);

export const vmCloudInitSchema = z.strictObject({
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/, 'expected a user name like ubuntu')
    .optional(),
  ssh_keys: z
    .array(z.string().regex(/^(ssh-|ecdsa-|sk-)\S+ \S+/, 'expected an OpenSSH public key'))
    .optional(),
  nameservers: z.array(z.union([z.ipv4(), z.ipv6()])).optional(),
  search_domain: z.string().optional(),
  /** Storage for the cloud-init drive of fresh VMs (default: the first disk's). */
  storage: storageIdSchema.optional(),
});

export const vmTagSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_][a-zA-Z0-9_\-+.]*$/, 'expected a tag of letters, digits, _ - + .');

export const vmSchema = z
  .strictObject({
    name: vmNameSchema,
    /** Fixed VMID; otherwise the cluster's next free one at creation. */
    vmid: z.number().int().min(100).max(999_999_999).optional(),
    /** Template to clone, by name or VMID. Without it the VM is created fresh. */
    template: z.union([vmNameSchema, z.number().int().min(100)]).optional(),
    /** Full clone (independent disks) or linked clone of the template. */
    full_clone: z.boolean().default(true),
    /** ISO volume for a fresh install, e.g. `local:iso/ubuntu-24.04.iso`. */
    iso: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9\-_.]*:iso\/.+$/, 'expected an ISO volume like local:iso/ubuntu.iso')
      .optional(),
    cores: z.number().int().min(1).max(1024),
    sockets: z.number().int().min(1).max(16).default(1),
    memory: memorySizeSchema,
    /** CPU type, e.g. `host` (recommended with GPUs) or `x86-64-v3`. */
    cpu_type: z
      .string()
      .regex(/^[\w.-]+$/)
      .optional(),
    /** Omitted: disks are left as they are (a clone keeps the template's). Listed disks are created or grown. */
    disks: z.array(vmDiskSchema).optional(),
    /** Omitted: NICs are left alone. Listed: exactly these NICs (net0, net1, … in order). */
    nics: z.array(vmNicSchema).optional(),
    /** Omitted: passthrough devices are left alone. Listed (also `[]`): exactly these GPUs. */
    gpus: z.array(vmGpuSchema).optional(),
    cloud_init: vmCloudInitSchema.optional(),
    /** Omitted: other tags set in Proxmox are kept. Listed: exactly these (plus Skyy's own tags). */
    tags: z.array(vmTagSchema).optional(),
    description: z.string().max(8000).optional(),
    onboot: z.boolean().default(false),
    /** Keep the VM running (start it when stopped). `false` leaves its power state alone. */
    start: z.boolean().default(true),
    /** Never delete or replace this VM (also sets Proxmox's own protection flag). */
    protect: z.boolean().default(false),
  })
  .superRefine((vm, ctx) => {
    if (vm.template !== undefined && vm.iso !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['iso'],
        message: 'a VM is cloned from a template or installed from an ISO, not both',
      });
    }
    const slots = new Set<string>();
    vm.disks?.forEach((disk, i) => {
      const slot = disk.slot ?? `scsi${i}`;
      if (slots.has(slot))
        ctx.addIssue({
          code: 'custom',
          path: ['disks', i, 'slot'],
          message: `disk slot ${slot} is used twice`,
        });
      slots.add(slot);
    });
    const macs = new Set<string>();
    vm.nics?.forEach((nic, i) => {
      if (nic.mac && macs.has(nic.mac))
        ctx.addIssue({ code: 'custom', path: ['nics', i, 'mac'], message: `MAC ${nic.mac} is used twice` });
      if (nic.mac) macs.add(nic.mac);
      if (nic.gateway && (!nic.ip || nic.ip === 'dhcp')) {
        ctx.addIssue({
          code: 'custom',
          path: ['nics', i, 'gateway'],
          message: 'a gateway needs a static ip',
        });
      }
    });
    if ((vm.gpus ?? []).filter((gpu) => gpu.primary).length > 1) {
      ctx.addIssue({ code: 'custom', path: ['gpus'], message: 'only one GPU can be primary' });
    }
  });

/** A host file's `vms:` list; names are unique within it. */
export const vmListSchema = z.array(vmSchema).superRefine((vms, ctx) => {
  const seen = new Map<string, number>();
  vms.forEach((vm, i) => {
    const first = seen.get(vm.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: `VM name '${vm.name}' is already used by vms[${first}]`,
      });
    } else seen.set(vm.name, i);
  });
});

export type DesiredVm = z.output<typeof vmSchema>;
export type DesiredVmInput = z.input<typeof vmSchema>;
export type DesiredVmDisk = z.output<typeof vmDiskSchema>;
export type DesiredVmNic = z.output<typeof vmNicSchema>;
export type DesiredVmGpu = z.output<typeof vmGpuSchema>;
