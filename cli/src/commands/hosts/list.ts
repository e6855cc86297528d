import { hostPageSchema, type Host } from '@skyy/contracts';
import { connect } from '../../connect.ts';
import { printJson, type CliIo } from '../../io.ts';
import { renderTable } from '../../table.ts';

export interface HostsListOptions {
  io: CliIo;
  role?: string;
  tag?: string;
  q?: string;
  /** Stop after this many hosts; all of them when absent. */
  limit?: number;
  /** Hosts per request, at most the server's maximum. */
  pageSize?: number;
  output: 'table' | 'json';
}

/** The server's largest page (hostListQuerySchema caps limit at 500). */
const MAX_PAGE_SIZE = 500;

/** Lists hosts, following nextCursor page by page until all (or --limit) are fetched. */
export async function hostsList(options: HostsListOptions): Promise<number> {
  const { io } = options;
  const client = connect(io);
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const hosts: Host[] = [];
  let cursor: string | undefined;
  let total: number;
  do {
    const wanted = options.limit === undefined ? pageSize : Math.min(pageSize, options.limit - hosts.length);
    const page = await client.get('/api/v1/hosts', {
      query: { role: options.role, tag: options.tag, q: options.q, limit: wanted, cursor },
      schema: hostPageSchema,
    });
    hosts.push(...page.items);
    total = page.total;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && (options.limit === undefined || hosts.length < options.limit));

  if (options.output === 'json') {
    printJson(io, { items: hosts, total });
    return 0;
  }
  if (hosts.length === 0) {
    io.stdout.write('no hosts match\n');
    return 0;
  }
  const rows = hosts.map((h) => [
    h.hostname,
    h.ipAddress,
    h.roles.join(',') || '-',
    h.tags.join(',') || '-',
    h.gpu ? 'yes' : 'no',
    h.source,
  ]);
  io.stdout.write(renderTable(['hostname', 'ip address', 'roles', 'tags', 'gpu', 'source'], rows));
  if (hosts.length < total) io.stdout.write(`(${hosts.length} of ${total} hosts; raise --limit for more)\n`);
  return 0;
}
