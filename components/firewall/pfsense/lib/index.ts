export * from './site.ts';
export * from './desired.ts';
export * from './descriptions.ts';
export * from './vips.ts';
export * from './nats.ts';
export * from './rules.ts';
export * from './dhcp.ts';
