import type { SimGuest, SimNode, SimState } from './state.ts';
import { SimError, type TaskEngine } from './tasks.ts';

export type WireParams = Record<string, string | string[]>;

/** What a route handler gets: the state, the task engine and the request's validated parameters. */
export interface HandlerContext {
  state: SimState;
  tasks: TaskEngine;
  random: () => number;
  /** Marks the state dirty (saved to the state file when one is configured). */
  changed: () => void;
  params: WireParams;
  /** The authenticated `USER@REALM!TOKENID`. */
  user: string;
}

export type Handler = (ctx: HandlerContext) => unknown;
export type Routes = Record<string, Handler>;

export function str(ctx: HandlerContext, name: string): string | undefined {
  const value = ctx.params[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requireStr(ctx: HandlerContext, name: string): string {
  const value = str(ctx, name);
  if (value === undefined)
    throw new SimError(400, 'Parameter verification failed.', {
      [name]: 'property is missing and it is not optional',
    });
  return value;
}

export function bool(ctx: HandlerContext, name: string, fallback = false): boolean {
  const value = str(ctx, name);
  return value === undefined ? fallback : /^(1|true|yes|on)$/i.test(value);
}

export function int(ctx: HandlerContext, name: string): number | undefined {
  const value = str(ctx, name);
  return value === undefined ? undefined : Number(value);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The node, which must exist and be online (PVE proxies to it; an offline node answers 595). */
export function onlineNode(ctx: HandlerContext, name = requireStr(ctx, 'node')): SimNode {
  const node = ctx.state.nodes.find((n) => n.name === name);
  if (!node)
    throw new SimError(
      500,
      `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`,
    );
  if (!node.online) throw new SimError(595, `Connection refused`);
  return node;
}

/** A guest on the given node; PVE answers for the config file path it looked at. */
export function guestOn(ctx: HandlerContext, type: 'qemu' | 'lxc'): SimGuest {
  const node = onlineNode(ctx);
  const vmid = Number(requireStr(ctx, 'vmid'));
  const guest = ctx.state.guests.find((g) => g.vmid === vmid && g.node === node.name && g.type === type);
  const dir = type === 'qemu' ? 'qemu-server' : 'lxc';
  if (!guest)
    throw new SimError(500, `Configuration file 'nodes/${node.name}/${dir}/${vmid}.conf' does not exist`);
  return guest;
}

/** PVE returns integer and boolean config values as JSON numbers, the rest as strings. */
export function typedValue(value: string, numeric: boolean): string | number {
  return numeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}
