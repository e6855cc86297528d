import { ApiError, badRequest, represent, validateObject } from './model.ts';
import { checkModelRules } from './model-rules.ts';
import { interfaceStats, systemStatus } from './status-endpoints.ts';
import type { InterfaceRepresentation } from './model.ts';
import { filterObjects } from './query.ts';
import { loadReference, type HttpMethod, type PfSenseReference } from './reference.ts';
import type { SimInterface, SimObject, SimSections, SimState } from './state.ts';

/**
 * The endpoints the Skyy Command client uses, over the simulator's state, without HTTP: routing
 * of reference paths to collections, create/read/update/delete with array-index ids that shift
 * after deletes, subsystems marked dirty until their apply endpoint runs, and `dry_run`.
 */

type Subsystem = 'filter' | 'natconf' | 'vip' | 'staticmaps';

interface Collection {
  model: string;
  subsystem: Subsystem;
  /** Top-level section, or `dhcp` for static mappings (children of a DHCP server). */
  section: 'vips' | 'nats' | 'rules' | 'dhcp';
}

const VIPS: Collection = { model: 'VirtualIP', subsystem: 'vip', section: 'vips' };
const NATS: Collection = { model: 'OneToOneNATMapping', subsystem: 'natconf', section: 'nats' };
const RULES: Collection = { model: 'FirewallRule', subsystem: 'filter', section: 'rules' };
const STATIC_MAPPINGS: Collection = {
  model: 'DHCPServerStaticMapping',
  subsystem: 'staticmaps',
  section: 'dhcp',
};

const COLLECTIONS: Record<string, { collection: Collection; many: boolean }> = {
  '/api/v2/firewall/virtual_ip': { collection: VIPS, many: false },
  '/api/v2/firewall/virtual_ips': { collection: VIPS, many: true },
  '/api/v2/firewall/nat/one_to_one/mapping': { collection: NATS, many: false },
  '/api/v2/firewall/nat/one_to_one/mappings': { collection: NATS, many: true },
  '/api/v2/firewall/rule': { collection: RULES, many: false },
  '/api/v2/firewall/rules': { collection: RULES, many: true },
  '/api/v2/services/dhcp_server/static_mapping': { collection: STATIC_MAPPINGS, many: false },
  '/api/v2/services/dhcp_server/static_mappings': { collection: STATIC_MAPPINGS, many: true },
};

const APPLY_ENDPOINTS: Record<string, Subsystem[]> = {
  '/api/v2/firewall/apply': ['filter', 'natconf'],
  '/api/v2/firewall/virtual_ip/apply': ['vip'],
  '/api/v2/services/dhcp_server/apply': ['staticmaps'],
};

export interface FirewallIdentity {
  pfSenseVersion: string;
  restApiVersion: string;
  representInterfacesAs: InterfaceRepresentation;
  startedAt: number;
}

export interface Request {
  method: HttpMethod;
  path: string;
  query: URLSearchParams;
  body: SimObject;
  client: string;
}

export interface Response {
  code: number;
  data: unknown;
}

/** How writes reach config.xml; the server decides whether overlapping writes can clobber each other. */
export type WriteRunner = <T>(
  mutate: (sections: SimSections) => T,
  options: { commit: boolean },
) => Promise<T>;

export class SimulatedFirewall {
  readonly reference: PfSenseReference = loadReference();
  private lastTracker = 0;
  private uniqueCounter = 0;

  constructor(
    readonly state: () => SimState,
    readonly identity: FirewallIdentity,
    private readonly write: WriteRunner,
  ) {}

  async handle(request: Request): Promise<Response> {
    const { method, path } = request;
    const routed = COLLECTIONS[path];
    if (routed) {
      if (method === 'GET')
        return routed.many ? this.list(routed.collection, request) : this.read(routed.collection, request);
      if (method === 'POST' && !routed.many) return this.create(routed.collection, request);
      if (method === 'PATCH' && !routed.many) return this.update(routed.collection, request);
      if (method === 'DELETE')
        return routed.many
          ? this.deleteMany(routed.collection, request)
          : this.delete(routed.collection, request);
    }
    const subsystems = APPLY_ENDPOINTS[path];
    if (subsystems) return method === 'POST' ? this.apply(subsystems) : this.pending(path, subsystems);
    if (method === 'GET') {
      const data = this.readOnly(path, request.query);
      if (data !== undefined) return { code: 200, data };
    }
    throw new ApiError(501, 'SIMULATOR_NOT_IMPLEMENTED', `${method} ${path} is not simulated.`);
  }

  // ---- collections ---------------------------------------------------------------------------

  private groups(collection: Collection, sections: SimSections, parentId?: string) {
    if (collection.section !== 'dhcp') return [{ parentId: undefined, list: sections[collection.section] }];
    return Object.entries(sections.dhcp)
      .filter(([id]) => parentId === undefined || id === parentId)
      .map(([id, server]) => ({ parentId: id as string | undefined, list: server.staticmap }));
  }

  private representObject(
    collection: Collection,
    stored: SimObject,
    id: number,
    parentId?: string,
  ): SimObject {
    const ids = parentId === undefined ? { id } : { id, parent_id: parentId };
    const { interfaces } = this.state();
    return represent(
      stored,
      this.reference.model(collection.model),
      interfaces,
      this.identity.representInterfacesAs,
      ids,
    );
  }

  private list(collection: Collection, request: Request): Response {
    const objects = this.groups(collection, this.state().config).flatMap(({ parentId, list }) =>
      list.map((stored, index) => this.representObject(collection, stored, index, parentId)),
    );
    const fields = this.reference.model(collection.model).fields.map((f) => f.name);
    return { code: 200, data: filterObjects(objects, request.query, fields) };
  }

  private locate(collection: Collection, sections: SimSections, params: SimObject) {
    let parentId: string | undefined;
    if (collection.section === 'dhcp') {
      if (params.parent_id === undefined || params.parent_id === null || params.parent_id === '') {
        throw badRequest('MODEL_PARENT_ID_REQUIRED', 'Field `parent_id` is required.');
      }
      parentId = String(params.parent_id);
      if (!sections.dhcp[parentId]) {
        throw new ApiError(
          404,
          'MODEL_PARENT_NOT_FOUND',
          `Parent object with ID \`${parentId}\` does not exist.`,
        );
      }
    }
    const [group] = this.groups(collection, sections, parentId);
    if (!group) throw new ApiError(500, 'SERVER_ERROR', 'Collection not found.');
    return { parentId, list: group.list };
  }

  private objectIndex(list: readonly SimObject[], params: SimObject): number {
    const raw = params.id;
    if (raw === undefined || raw === null || raw === '')
      throw badRequest('MODEL_ID_REQUIRED', 'Field `id` is required.');
    const id = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : NaN;
    if (!Number.isInteger(id) || id < 0 || id >= list.length) {
      throw new ApiError(404, 'MODEL_OBJECT_NOT_FOUND', `Object with ID \`${String(raw)}\` does not exist.`);
    }
    return id;
  }

  private read(collection: Collection, request: Request): Response {
    const params = Object.fromEntries(request.query);
    const { parentId, list } = this.locate(collection, this.state().config, params);
    const index = this.objectIndex(list, params);
    return { code: 200, data: this.representObject(collection, at(list, index), index, parentId) };
  }

  private dryRun(request: Request): boolean {
    const requested =
      request.method === 'DELETE' ? request.query.get('dry_run') === 'true' : request.body.dry_run === true;
    if (!requested) return false;
    if (!versionAtLeast(this.identity.restApiVersion, [2, 8, 0])) {
      if (request.method === 'DELETE') return false; // older packages ignore unknown query parameters
      throw badRequest('FIELD_UNKNOWN', 'Field `dry_run` is not a field of this model.');
    }
    return true;
  }

  private async create(collection: Collection, request: Request): Promise<Response> {
    const dryRun = this.dryRun(request);
    const data = await this.write(
      (sections) => {
        const { parentId, list } = this.locate(collection, sections, request.body);
        const stored = this.validate(collection, request, list, undefined, undefined, parentId);
        this.stamp(collection, stored, request.client, true);
        const placement = request.body.placement;
        const index =
          typeof placement === 'number' &&
          Number.isInteger(placement) &&
          placement >= 0 &&
          placement < list.length
            ? placement
            : list.length;
        list.splice(index, 0, stored);
        return this.representObject(collection, stored, index, parentId);
      },
      { commit: !dryRun },
    );
    if (!dryRun) this.changed(collection, request);
    return { code: 200, data };
  }

  private async update(collection: Collection, request: Request): Promise<Response> {
    const dryRun = this.dryRun(request);
    const data = await this.write(
      (sections) => {
        const { parentId, list } = this.locate(collection, sections, request.body);
        const index = this.objectIndex(list, request.body);
        const stored = this.validate(collection, request, list, index, list[index], parentId);
        this.stamp(collection, stored, request.client, false);
        list[index] = stored;
        return this.representObject(collection, stored, index, parentId);
      },
      { commit: !dryRun },
    );
    if (!dryRun) this.changed(collection, request);
    return { code: 200, data };
  }

  private async delete(collection: Collection, request: Request): Promise<Response> {
    const dryRun = this.dryRun(request);
    const params = Object.fromEntries(request.query);
    const data = await this.write(
      (sections) => {
        const { parentId, list } = this.locate(collection, sections, params);
        const index = this.objectIndex(list, params);
        const removed = at(list, index);
        list.splice(index, 1);
        return this.representObject(collection, removed, index, parentId);
      },
      { commit: !dryRun },
    );
    if (!dryRun) this.changed(collection, request);
    return { code: 200, data };
  }

  private async deleteMany(collection: Collection, request: Request): Promise<Response> {
    const fields = this.reference.model(collection.model).fields.map((f) => f.name);
    const filters = [...request.query.keys()].filter((key) => !['apply', 'async', 'dry_run'].includes(key));
    if (filters.length === 0) {
      throw badRequest(
        'MODEL_DELETE_MANY_REQUIRES_QUERY',
        'Deleting many objects requires at least one query filter.',
      );
    }
    const data = await this.write(
      (sections) => {
        const removed: SimObject[] = [];
        for (const { parentId, list } of this.groups(collection, sections)) {
          const represented = list.map((stored, index) =>
            this.representObject(collection, stored, index, parentId),
          );
          const doomed = new Set(filterObjects(represented, request.query, fields).map((o) => o.id));
          for (let index = list.length - 1; index >= 0; index--) {
            if (doomed.has(index)) {
              removed.unshift(at(represented, index));
              list.splice(index, 1);
            }
          }
        }
        return removed;
      },
      { commit: true },
    );
    this.changed(collection, request);
    return { code: 200, data };
  }

  private validate(
    collection: Collection,
    request: Request,
    siblings: SimObject[],
    selfIndex: number | undefined,
    existing: SimObject | undefined,
    parentId: string | undefined,
  ): SimObject {
    const { interfaces } = this.state();
    const stored = validateObject(request.body, {
      modelName: collection.model,
      model: this.reference.model(collection.model),
      interfaces,
      siblings,
      selfIndex,
      existing,
      client: request.client,
      nowSeconds: Math.floor(Date.now() / 1000),
      newTracker: () => this.newTracker(),
      newUniqueId: () => this.newUniqueId(),
    });
    checkModelRules(collection.model, stored, { interfaces, siblings, selfIndex, parentId });
    return stored;
  }

  /** Read-only bookkeeping fields pfSense fills in itself. */
  private stamp(collection: Collection, stored: SimObject, client: string, created: boolean): void {
    if (collection.model !== 'FirewallRule') return;
    const now = Math.floor(Date.now() / 1000);
    const by = `${client} (API)`;
    if (created) {
      stored.tracker = this.newTracker();
      stored.created_time = now;
      stored.created_by = by;
    }
    stored.updated_time = now;
    stored.updated_by = by;
  }

  private changed(collection: Collection, request: Request): void {
    const state = this.state();
    if (!state.dirty.includes(collection.subsystem)) state.dirty.push(collection.subsystem);
    const apply =
      request.method === 'DELETE' ? request.query.get('apply') === 'true' : request.body.apply === true;
    if (apply) this.applySubsystems([collection.subsystem]);
  }

  // ---- apply ---------------------------------------------------------------------------------

  private pending(path: string, subsystems: Subsystem[]): Response {
    const dirty = this.state().dirty.filter((s) => subsystems.includes(s as Subsystem));
    const data: SimObject = { applied: dirty.length === 0 };
    if (path === '/api/v2/firewall/apply') data.pending_subsystems = dirty;
    return { code: 200, data };
  }

  private apply(subsystems: Subsystem[]): Response {
    this.applySubsystems(subsystems);
    const data: SimObject = { applied: true };
    if (subsystems.includes('filter')) data.pending_subsystems = [];
    return { code: 200, data };
  }

  private applySubsystems(subsystems: Subsystem[]): void {
    const state = this.state();
    for (const subsystem of subsystems) {
      if (subsystem === 'filter') state.running.rules = structuredClone(state.config.rules);
      if (subsystem === 'natconf') state.running.nats = structuredClone(state.config.nats);
      if (subsystem === 'vip') state.running.vips = structuredClone(state.config.vips);
      if (subsystem === 'staticmaps') state.running.dhcp = structuredClone(state.config.dhcp);
    }
    state.dirty = state.dirty.filter((s) => !subsystems.includes(s as Subsystem));
  }

  // ---- read-only endpoints -------------------------------------------------------------------

  private readOnly(path: string, query: URLSearchParams): unknown {
    const { interfaces, config } = this.state();
    const representAs = this.identity.representInterfacesAs;
    switch (path) {
      case '/api/v2/system/version': {
        const base = this.identity.pfSenseVersion.split('-')[0] ?? '';
        return {
          version: this.identity.pfSenseVersion,
          base,
          patch: '0',
          buildtime: 'Tue Jun 3 12:00:00 UTC 2025',
        };
      }
      case '/api/v2/system/restapi/version':
        return {
          current_version: this.identity.restApiVersion,
          latest_version: this.identity.restApiVersion,
          latest_version_release_date: '2026-08-07T00:00:00Z',
          update_available: false,
          available_versions: [this.identity.restApiVersion],
        };
      case '/api/v2/status/system':
        return systemStatus(this.state(), this.identity.startedAt);
      case '/api/v2/interfaces':
        return filterObjects(
          interfaces.map((i) => this.networkInterface(i)),
          query,
          this.reference.model('NetworkInterface').fields.map((f) => f.name),
        );
      case '/api/v2/interface': {
        const found = interfaces.find((i) => i.id === query.get('id'));
        if (!found)
          throw new ApiError(
            404,
            'MODEL_OBJECT_NOT_FOUND',
            `Object with ID \`${query.get('id') ?? ''}\` does not exist.`,
          );
        return this.networkInterface(found);
      }
      case '/api/v2/status/interfaces':
        return interfaces.map((i) => interfaceStats(i, representAs));
      case '/api/v2/services/dhcp_servers':
        return Object.keys(config.dhcp).map((id) => this.dhcpServer(id));
      case '/api/v2/services/dhcp_server': {
        const id = query.get('id') ?? '';
        if (!config.dhcp[id])
          throw new ApiError(404, 'MODEL_OBJECT_NOT_FOUND', `Object with ID \`${id}\` does not exist.`);
        return this.dhcpServer(id);
      }
      default:
        return undefined;
    }
  }

  private networkInterface(i: SimInterface): SimObject {
    const stored = {
      if: i.if,
      enable: i.enable,
      descr: i.descr,
      typev4: 'static',
      ipaddr: i.ipaddr,
      subnet: i.subnet,
    };
    return represent(stored, this.reference.model('NetworkInterface'), [], 'id', { id: i.id });
  }

  private dhcpServer(id: string): SimObject {
    const server = this.state().config.dhcp[id];
    if (!server)
      throw new ApiError(404, 'MODEL_OBJECT_NOT_FOUND', `Object with ID \`${id}\` does not exist.`);
    const staticmap = server.staticmap.map((stored, index) =>
      this.representObject(STATIC_MAPPINGS, stored, index, id),
    );
    const stored = {
      interface: id,
      enable: server.enable,
      range_from: server.range_from,
      range_to: server.range_to,
    };
    const { interfaces } = this.state();
    const out = represent(
      stored,
      this.reference.model('DHCPServer'),
      interfaces,
      this.identity.representInterfacesAs,
      { id },
    );
    return { ...out, staticmap, pool: [], numberoptions: [] };
  }

  private newTracker(): number {
    this.lastTracker = Math.max(this.lastTracker + 1, Date.now() * 1000);
    return this.lastTracker;
  }

  private newUniqueId(): string {
    this.uniqueCounter += 1;
    return (Date.now() * 1000 + this.uniqueCounter).toString(16).slice(-13).padStart(13, '0');
  }
}
export function versionAtLeast(version: string, minimum: [number, number, number]): boolean {
  const parts = version.replace(/^v/, '').split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const part = parts[i] ?? 0;
    const wanted = minimum[i] ?? 0;
    if (Number.isNaN(part)) return false;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined)
    throw new ApiError(404, 'MODEL_OBJECT_NOT_FOUND', `Object with ID \`${index}\` does not exist.`);
  return item;
}
