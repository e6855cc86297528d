import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  compareIpv4,
  formatCidr,
  isLocallyAdministeredMac,
  isMulticastMac,
  isNetworkOrBroadcast,
  normalizeMac,
  parseCidr,
  parseIpv4,
  sortIpv4,
} from './net-utils.ts';

describe('IPv4 parsing', () => {
  it.each([
    ['38.247.82.2', 0x26f75202],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
  ])('reads %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
  });

  it.each(['38.247.82', '38.247.82.256', '38.247.82.02', 'a.b.c.d', '1.2.3.4/32', ''])(
    'refuses %j',
    (text) => {
      expect(parseIpv4(text)).toBeNull();
    },
  );
});

describe('CIDR membership', () => {
  const parsed = parseCidr('38.247.82.0/23');
  if (!parsed) throw new Error('the test network must parse');
  const hargett = parsed;

  it('normalises the network address and knows its range', () => {
    const inside = parseCidr('38.247.83.17/23');
    expect(inside && formatCidr(inside)).toBe('38.247.82.0/23');
    expect(hargett.prefix).toBe(23);
  });

  it.each([
    ['38.247.82.0', true],
    ['38.247.83.255', true],
    ['38.247.84.0', false],
    ['38.247.81.255', false],
    ['not-an-ip', false],
  ])('%s in 38.247.82.0/23 is %s', (address, inside) => {
    expect(cidrContains(hargett, address)).toBe(inside);
  });

  it('finds the network and broadcast addresses', () => {
    expect(isNetworkOrBroadcast(hargett, '38.247.82.0')).toBe(true);
    expect(isNetworkOrBroadcast(hargett, '38.247.83.255')).toBe(true);
    expect(isNetworkOrBroadcast(hargett, '38.247.82.255')).toBe(false);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', '10.0.0.0/8/1', '10.0.0.0/x'])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe('sorting', () => {
  it('orders addresses numerically, not as text', () => {
    const sorted = sortIpv4(['10.0.0.10', '10.0.0.9', '9.255.255.255', 'alias'], (ip) => ip);
    expect(sorted).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', 'alias']);
    expect(compareIpv4('10.0.0.2', '10.0.0.2')).toBe(0);
  });
});

describe('MAC addresses', () => {
  it.each([
    ['02:00:2E:8C:5E:78', '02:00:2e:8c:5e:78'],
    ['02-00-2e-8c-5e-78', '02:00:2e:8c:5e:78'],
    ['0200.2e8c.5e78', '02:00:2e:8c:5e:78'],
    ['02002e8c5e78', '02:00:2e:8c:5e:78'],
  ])('normalises %s', (text, normalized) => {
    expect(normalizeMac(text)).toBe(normalized);
  });

  it.each(['02:00:2e:8c:5e', '02:00:2e:8c:5e:7g', '02:00-2e:8c:5e:78', '0200:2e8c:5e78', ''])(
    'refuses %j',
    (text) => {
      expect(normalizeMac(text)).toBeNull();
    },
  );

  it('tells locally administered addresses from vendor ones', () => {
    expect(isLocallyAdministeredMac('02:00:2e:8c:5e:78')).toBe(true);
    expect(isLocallyAdministeredMac('bc:24:11:00:00:01')).toBe(false);
    expect(isLocallyAdministeredMac('garbage')).toBe(false);
  });

  it('spots group (multicast) addresses', () => {
    expect(isMulticastMac('01:00:5e:00:00:01')).toBe(true);
    expect(isMulticastMac('02:00:5e:00:00:01')).toBe(false);
  });
});
