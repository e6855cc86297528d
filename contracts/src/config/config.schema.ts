import { z } from 'zod';
import { firewallSiteSettingsSchema } from '../desired-state/networking.schema.ts';

/**
 * config.yaml. The first five sections are the user's existing file, accepted unchanged;
 * the rest are Skyy Command's additions (see config.example.yaml). Unknown keys are errors
 * so that a typo is reported with its line instead of being silently ignored.
 */

/** `env:NAME` reads the secret from the environment at use; anything else is the secret itself. */
export const secretRefSchema = z.string().min(1);

const tlsSchema = z.strictObject({
  ca_file: z.string().optional(),
  /** SHA-256 fingerprint of the server certificate, `AA:BB:…` (self-signed certificates are normal on PVE/pfSense). */
  fingerprint: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint like AA:BB:…(32 pairs)')
    .optional(),
  insecure: z.boolean().default(false),
});

/** `database:` with only comments under it is YAML null: treat an empty section as an empty object. */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => value ?? {}, schema);

const legacyMainSchema = z.strictObject({
  organization: z.string().default('Skyy Command'),
  inventory_script: z.string().optional(),
  default_timeout: z.number().positive().default(5),
  ansible_private_key: z.string().optional(),
});

const legacySections = {
  main: section(legacyMainSchema),
  server_ssh_bootstrap: z
    .strictObject({ enabled: z.boolean().default(false), default_user: z.string().default('root') })
    .optional(),
  proxmox: z
    .strictObject({
      proxmox: z.boolean().default(false),
      proxmox_paid_subscription: z.boolean().default(false),
      proxmox_cluster: z.boolean().default(false),
      proxmox_cluster_name: z.string().optional(),
    })
    .optional(),
  ceph: z
    .strictObject({
      enabled: z.boolean().default(false),
      proxmox_managed: z.boolean().default(false),
      version: z.string().optional(),
    })
    .optional(),
  tailscale: z.strictObject({ enabled: z.boolean().default(false) }).optional(),
};

export const serverConfigSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).default(8080),
  host: z.string().default('0.0.0.0'),
  data_dir: z.string().default('./data'),
  /** Public base URL used in mailed links (invites, password reset). */
  public_url: z.url().optional(),
  /** Trust X-Forwarded-* from a reverse proxy (nginx); enables Secure cookies behind TLS. */
  trust_proxy: z.boolean().default(false),
  body_limit_bytes: z.number().int().positive().default(1_048_576),
});

export const authConfigSchema = z.strictObject({
  open_registration: z.boolean().default(false),
  session_ttl_hours: z.number().positive().default(12),
  /** Absolute lifetime: however active, a session ends this long after sign-in. */
  session_max_hours: z.number().positive().default(168),
  login_max_failures: z.number().int().positive().default(5),
  lockout_minutes: z.number().positive().default(15),
  password_min_length: z.number().int().min(8).default(10),
});

export const jobsConfigSchema = z.strictObject({
  /** Finished jobs (with their logs and steps) and schedule ticks older than this are deleted daily. */
  retention_days: z.number().int().min(1).default(30),
});

export const mailConfigSchema = z.strictObject({
  from: z.string().default('Skyy Command <skyy@localhost>'),
  /** Without smtp, mail is written as .eml files to $SKYY_DATA_DIR/outbox. */
  smtp: z
    .strictObject({
      host: z.string(),
      port: z.number().int().default(587),
      secure: z.boolean().default(false),
      user: z.string().optional(),
      password: secretRefSchema.optional(),
    })
    .optional(),
});

export const siteConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  description: z.string().optional(),
  networking_file: z.string().optional(),
});

export const clusterConfigSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(['proxmox', 'ceph', 'nomad']),
  site: z.string().optional(),
  api_url: z.url(),
  token_id: z.string().optional(),
  token_secret: secretRefSchema.optional(),
  tls: tlsSchema.optional(),
  sync_interval: z.string().default('*/5 * * * *'),
});

export const firewallConfigSchema = z.strictObject({
  name: z.string().min(1),
  type: z.literal('pfsense').default('pfsense'),
  site: z.string(),
  api_url: z.url(),
  api_key: secretRefSchema.optional(),
  tls: tlsSchema.optional(),
  /** How the site's firewall is laid out (public subnet, LAN interface, …); needed to plan and apply. */
  site_settings: firewallSiteSettingsSchema.optional(),
  /** The site's networking file (the user's `ips:` format), relative to the working directory. */
  networking_file: z.string().min(1).optional(),
});

export const integrationsConfigSchema = z.strictObject({
  fluxedge: z
    .strictObject({ cli_path: z.string().optional(), wallet: secretRefSchema.optional() })
    .optional(),
  grafana: z.strictObject({ url: z.url(), api_token: secretRefSchema.optional() }).optional(),
  uptime_kuma: z.strictObject({ url: z.url() }).optional(),
  ollama: z.strictObject({ url: z.url(), model: z.string().optional() }).optional(),
});

export const skyyConfigSchema = z.strictObject({
  ...legacySections,
  server: section(serverConfigSchema),
  database: section(z.strictObject({ url: z.string().optional() })),
  redis: section(z.strictObject({ url: z.string().optional() })),
  auth: section(authConfigSchema),
  mail: section(mailConfigSchema),
  jobs: section(jobsConfigSchema),
  sites: z.array(siteConfigSchema).default([]),
  clusters: z.array(clusterConfigSchema).default([]),
  firewalls: z.array(firewallConfigSchema).default([]),
  integrations: section(integrationsConfigSchema),
});

export type SkyyConfig = z.output<typeof skyyConfigSchema>;
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
