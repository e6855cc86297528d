import type { InterfaceRepresentation } from './model.ts';
import type { SimInterface, SimObject, SimState } from './state.ts';

/** Answers of the read-only status endpoints: system status and interface statistics. */

export function systemStatus(state: SimState, startedAt: number): SimObject {
  const seconds = Math.floor((Date.now() - startedAt) / 1000) + 3 * 86_400 + 4 * 3_600;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const objects = state.config.vips.length + state.config.nats.length + state.config.rules.length;
  return {
    platform: 'pfSense',
    serial: 'SIM0000001',
    netgate_id: 'sim-netgate-id',
    uptime: `${days} Days ${String(hours).padStart(2, '0')} Hours ${String(minutes).padStart(2, '0')} Minutes ${String(seconds % 60).padStart(2, '0')} Seconds`,
    bios_vendor: 'SeaBIOS',
    bios_version: '1.16.3',
    bios_date: '04/01/2014',
    kernel_pti: false,
    mds_mitigation: 'inactive',
    temp_c: 41.5,
    temp_f: 106.7,
    cpu_model: 'QEMU Virtual CPU version 2.5+',
    cpu_load_avg: [0.12, 0.18, 0.2],
    cpu_count: 4,
    cpu_usage: Math.min(95, 3 + objects / 200),
    mem_usage: Math.min(95, 14 + objects / 150),
    mbuf_usage: 1.2,
    swap_usage: 0,
    disk_usage: 8.4,
  };
}

export function interfaceStats(i: SimInterface, representAs: InterfaceRepresentation): SimObject {
  return {
    name: representAs === 'descr' ? i.descr : representAs === 'if' ? i.if : i.id,
    descr: i.descr,
    hwif: i.if,
    macaddr: i.macaddr,
    mtu: '1500',
    enable: i.enable,
    status: i.enable ? 'up' : 'down',
    ipaddr: i.ipaddr,
    subnet: String(i.subnet),
    linklocal: '',
    ipaddrv6: '',
    subnetv6: '',
    inerrs: 0,
    outerrs: 0,
    collisions: 0,
    inbytes: 1_048_576,
    inbytespass: 1_048_576,
    outbytes: 524_288,
    outbytespass: 524_288,
    inpkts: 4_096,
    inpktspass: 4_096,
    outpkts: 2_048,
    outpktspass: 2_048,
    dhcplink: '',
    media: 'autoselect',
    gateway: i.gateway,
    gatewayv6: '',
  };
}
