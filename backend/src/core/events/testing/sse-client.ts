import http from 'node:http';

export interface SseMessage {
  event: string;
  data: unknown;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  messages: SseMessage[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** A minimal EventSource over node:http: parses `event:`/`data:` blocks and `:` comments. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      let buffer = '';
      let markEnded!: () => void;
      const ended = new Promise<void>((done) => {
        markEnded = done;
      });
      const client: SseClient = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        messages: [],
        comments: [],
        ended,
        close: () => request.destroy(),
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) client.messages.push({ event, data: JSON.parse(data.join('\n')) as unknown });
        }
      });
      response.on('end', markEnded);
      response.on('close', markEnded);
      resolve(client);
    });
    request.on('error', reject);
  });
}
