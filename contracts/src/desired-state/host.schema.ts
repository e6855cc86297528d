import * as z from 'zod';
import { vmListSchema } from './vm.schema.ts';

/**
 * A host file of `desired_state/hosts*` in the user's format. Known keys are typed so that
 * mistakes are caught with their line; sections Skyy Command does not act on yet keep
 * whatever the user wrote (`z.looseObject`) so an import never drops a field.
 */
const tailscaleSchema = z.looseObject({
  enabled: z.boolean(),
  hostname: z.string().optional(),
  tags: z.array(z.looseObject({ tag: z.string() })).optional(),
});

const proxmoxNetworkingSchema = z.looseObject({
  enabled: z.boolean(),
  separate_management_nic: z.boolean().optional(),
  management_bridge: z.string().optional(),
  workload_bridge: z.string().optional(),
  vlans: z.boolean().optional(),
  management_vlan: z.number().int().min(1).max(4094).optional(),
  workload_vlan: z.number().int().min(1).max(4094).optional(),
});

const devicePath = z.string().regex(/^\/dev\//, 'expected a device path like /dev/sda');

const storageSchema = z.looseObject({
  os_disk: z
    .looseObject({
      device: devicePath,
      format: z.string().optional(),
      separate_os_disk: z.boolean().optional(),
    })
    .optional(),
  proxmox_vm_storage: z
    .looseObject({
      enabled: z.boolean(),
      thinpools: z
        .array(
          z.looseObject({
            name: z.string(),
            volume_group: z.string(),
            thinpool: z.string(),
            devices: z.array(devicePath),
          }),
        )
        .optional(),
    })
    .optional(),
  ceph: z
    .looseObject({
      enabled: z.boolean(),
      managed_by: z.enum(['ceph', 'proxmox', 'kubernetes']).optional(),
      mon: z.boolean().optional(),
      osd: z.boolean().optional(),
      mgr: z.boolean().optional(),
      mds: z.boolean().optional(),
      rgw: z.boolean().optional(),
      osd_devices: z.array(devicePath).optional(),
    })
    .optional(),
});

export const hostnameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/,
    'not a valid hostname',
  );

export const hostSettingsSchema = z.looseObject({
  os: z.enum(['ubuntu', 'proxmox', 'debian']).optional(),
  gpu: z.boolean().optional(),
  networking: z
    .looseObject({ tailscale: tailscaleSchema.optional(), proxmox: proxmoxNetworkingSchema.optional() })
    .optional(),
  storage: storageSchema.optional(),
});

export const hostFileSchema = z.looseObject({
  hostname: hostnameSchema,
  ip_address: z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' }),
  roles: z.array(z.string().min(1)).default([]),
  settings: hostSettingsSchema.default({}),
  tags: z.array(z.string().min(1)).default([]),
  vms: vmListSchema.optional(),
});

export type HostFile = z.output<typeof hostFileSchema>;
export type HostSettings = z.output<typeof hostSettingsSchema>;
