import { ApiError, badRequest, isIpAddress } from './model.ts';
import type { SimInterface, SimObject } from './state.ts';

/** Checks the package's models make beyond their field declarations. */
export function checkModelRules(
  model: string,
  stored: SimObject,
  context: {
    interfaces: readonly SimInterface[];
    siblings: readonly SimObject[];
    selfIndex?: number;
    parentId?: string;
  },
): void {
  if (model === 'VirtualIP') {
    const subnet = String(stored.subnet);
    if (!isIpAddress(subnet))
      throw badRequest(
        'VIRTUAL_IP_INVALID_SUBNET',
        `Field \`subnet\` must be an IP address, got \`${subnet}\`.`,
      );
    if (subnet.includes('.') && Number(stored.subnet_bits) > 32) {
      throw badRequest(
        'VIRTUAL_IP_INVALID_SUBNET_BITS',
        'Field `subnet_bits` must be 32 or less for IPv4 addresses.',
      );
    }
    const owner = context.interfaces.find((i) => i.ipaddr === subnet);
    if (owner) {
      throw new ApiError(
        409,
        'VIRTUAL_IP_SUBNET_IN_USE',
        `Address \`${subnet}\` is already in use by interface ${owner.descr}.`,
      );
    }
  }
  if (model === 'FirewallRule') {
    const interfaces = stored.interface as unknown[];
    if (stored.floating !== true && interfaces.length !== 1) {
      throw badRequest(
        'FIREWALL_RULE_MULTIPLE_INTERFACES_WITHOUT_FLOATING',
        'Non-floating rules must have exactly one interface.',
      );
    }
  }
  if (model === 'DHCPServerStaticMapping') {
    const mac = String(stored.mac);
    if (!/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(mac)) {
      throw badRequest(
        'MAC_ADDRESS_VALIDATOR_FAILED',
        `Field \`mac\` must be a valid MAC address, got \`${mac}\`.`,
      );
    }
    const ipaddr = stored.ipaddr;
    if (typeof ipaddr === 'string' && ipaddr !== '') {
      const network = context.interfaces.find((i) => i.id === context.parentId);
      if (!isIpAddress(ipaddr) || (network && !inSubnet(ipaddr, network))) {
        throw badRequest(
          'DHCP_SERVER_STATIC_MAPPING_IPADDR_OUTSIDE_OF_SUBNET',
          `Field \`ipaddr\` must be an address within the ${network?.descr ?? ''} interface's subnet.`,
        );
      }
      const clash = context.siblings.findIndex(
        (other, index) => index !== context.selfIndex && other.ipaddr === ipaddr,
      );
      if (clash !== -1) {
        throw new ApiError(
          409,
          'DHCP_SERVER_STATIC_MAPPING_IPADDR_IN_USE',
          `Field \`ipaddr\` is already in use by static mapping with ID '${clash}'.`,
        );
      }
    }
  }
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function inSubnet(address: string, network: SimInterface): boolean {
  if (!address.includes('.')) return false;
  const size = 2 ** (32 - network.subnet);
  const base = ipv4Number(network.ipaddr);
  const start = base - (base % size);
  const value = ipv4Number(address);
  return value >= start && value < start + size;
}
