import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A mail from the dev outbox, decoded enough to read it (and to follow its links in tests). */
export interface OutboxMail {
  file: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Every `.eml` in `<dataDir>/outbox`, oldest first; an absent outbox is empty. */
export async function readOutbox(dataDir: string): Promise<OutboxMail[]> {
  const dir = path.resolve(dataDir, 'outbox');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      return { file, ...parseEml(await readFile(file, 'utf8')) };
    }),
  );
}

/**
 * A small reader for what nodemailer writes: headers, a single part or multipart/alternative,
 * 7bit / quoted-printable / base64 bodies. Not a general MIME parser.
 */
export function parseEml(raw: string): Omit<OutboxMail, 'file'> {
  const top = parsePart(raw.replace(/\r\n/g, '\n'));
  const parts = flatten(top);
  const body = (type: string) => parts.find((p) => p.contentType.startsWith(type))?.body ?? '';
  return {
    to: decodeWords(top.headers.get('to') ?? ''),
    subject: decodeWords(top.headers.get('subject') ?? ''),
    text: body('text/plain'),
    html: body('text/html'),
  };
}

interface Part {
  headers: Map<string, string>;
  contentType: string;
  body: string;
  children: Part[];
}

function parsePart(raw: string): Part {
  const split = raw.indexOf('\n\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? '' : raw.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const contentType = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (contentType.startsWith('multipart/') && boundary) {
    const children = rest
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .map((chunk) => parsePart(chunk.replace(/^\n/, '').replace(/\n$/, '')));
    return { headers, contentType, body: '', children };
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  return { headers, contentType, body: decodeBody(rest, encoding), children: [] };
}

function flatten(part: Part): Part[] {
  return part.children.length ? part.children.flatMap(flatten) : [part];
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

export function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`) in headers. */
function decodeWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g,
    (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}
