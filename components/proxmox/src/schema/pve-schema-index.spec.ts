import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractPveSchema, referenceSchemaPath } from './extract.ts';
import { PveSchemaIndex } from './pve-schema-index.ts';

const index = PveSchemaIndex.bundledIndex();

function errorsFor(method: string, path: string, params: Record<string, string | string[]> = {}) {
  const result = index.resolve(method, path);
  if (!result.ok) throw new Error(result.message);
  return index.validate(result.route, params);
}

describe('PVE schema index', () => {
  it('ships an extract identical to a fresh extraction of the reference schema', () => {
    expect(existsSync(referenceSchemaPath), `reference schema missing at ${referenceSchemaPath}`).toBe(true);
    const fresh = extractPveSchema(readFileSync(referenceSchemaPath, 'utf8'));
    const shipped: unknown = JSON.parse(
      readFileSync(new URL('./pve-api-schema.extract.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(fresh);
    expect(Object.keys(fresh.endpoints)).toHaveLength(649);
  });

  it('resolves concrete paths to templates, preferring literal segments over variables', () => {
    const result = index.resolve('GET', '/nodes/pve1/qemu/100/status/current');
    expect(result.ok && result.route.template).toBe('/nodes/{node}/qemu/{vmid}/status/current');
    expect(result.ok && result.route.pathParams).toEqual({ node: 'pve1', vmid: '100' });
    const nextid = index.resolve('GET', '/cluster/nextid');
    expect(nextid.ok && nextid.route.template).toBe('/cluster/nextid');
  });

  it('answers 501 for unknown paths and for methods a path does not have', () => {
    expect(index.resolve('GET', '/nodes/pve1/teleport')).toMatchObject({ ok: false, status: 501 });
    expect(index.resolve('DELETE', '/cluster/nextid')).toEqual({
      ok: false,
      status: 501,
      message: "Method 'DELETE /cluster/nextid' not implemented",
    });
  });

  it('accepts a well-formed VM config update with numbered keys and property strings', () => {
    expect(
      errorsFor('PUT', '/nodes/pve1/qemu/100/config', {
        cores: '4',
        memory: '8192',
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=502',
        net1: 'model=virtio,bridge=vmbr0,firewall=1',
        hostpci0: 'mapping=rtx3090,pcie=1',
        hostpci1: '0000:41:00,pcie=1,x-vga=1',
        ipconfig0: 'ip=10.0.0.5/24,gw=10.0.0.1',
        scsi1: 'local-lvm:32,iothread=1',
        tags: 'skyy-managed;gpu',
        sshkeys: 'ssh-ed25519%20AAAA%20me%40host',
        onboot: 'true',
        digest: 'a'.repeat(40),
      }),
    ).toEqual({});
  });

  it('rejects parameters like PVE does, one message per parameter', () => {
    expect(
      errorsFor('PUT', '/nodes/pve1/qemu/abc/config', {
        cores: 'four',
        sockets: '0',
        colour: 'blue',
        net99: 'virtio,bridge=vmbr0',
        net0: 'virtio,bridge=vmbr0,speed=fast',
        net1: 'virtio,tag=5000',
        hostpci0: 'mapping=x,turbo=1',
        onboot: 'maybe',
        scsihw: 'ultra',
        sshkeys: 'ssh-ed25519 AAAA me@host',
      }),
    ).toEqual({
      vmid: "type check ('integer') failed - got 'abc'",
      cores: "type check ('integer') failed - got 'four'",
      sockets: 'value must have a minimum value of 1',
      colour: 'property is not defined in schema and the schema does not allow additional properties',
      net99: 'property is not defined in schema and the schema does not allow additional properties',
      net0: 'invalid format - format error\nnet0.speed: property is not defined in schema and the schema does not allow additional properties',
      net1: 'invalid format - format error\nnet1.tag: value must have a maximum value of 4094',
      hostpci0:
        'invalid format - format error\nhostpci0.turbo: property is not defined in schema and the schema does not allow additional properties',
      onboot: "type check ('boolean') failed - got 'maybe'",
      scsihw:
        "value 'ultra' does not have a value in the enumeration 'lsi, lsi53c810, virtio-scsi-pci, virtio-scsi-single, megasas, pvscsi'",
      sshkeys: 'invalid format - invalid urlencoded string: ssh-ed25519 AAAA me@host',
    });
  });

  it('reports missing required parameters', () => {
    expect(errorsFor('POST', '/nodes/pve1/qemu/100/clone', {})).toEqual({
      newid: 'property is missing and it is not optional',
    });
    expect(errorsFor('PUT', '/nodes/pve1/qemu/100/resize', { disk: 'scsi0', size: 'big' })).toEqual({
      size: 'value does not match the regex pattern',
    });
  });

  it('validates array parameters item by item', () => {
    expect(
      errorsFor('POST', '/cluster/mapping/pci', {
        id: 'rtx3090-a',
        map: ['node=pve1,path=0000:41:00.0,id=10de:2204', 'node=pve2,path=0000:41:00.0,id=10de:2204'],
      }),
    ).toEqual({});
  });
});
