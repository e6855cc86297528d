import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { z } from 'zod';
import { ApiError } from './api-error.ts';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export const apiBase = '/api/v1';

/**
 * The console's only way to the API. Every answer is parsed with the zod schema the server
 * documents it with, so a changed contract fails here, loudly, and not deep in a template.
 */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  get<S extends z.ZodType>(path: string, schema: S, query: Query = {}): Promise<z.output<S>> {
    return this.call(this.http.get(url(path), { params: toParams(query) }), schema);
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.call(this.http.post(url(path), body), schema);
  }

  patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.call(this.http.patch(url(path), body), schema);
  }

  put<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.call(this.http.put(url(path), body), schema);
  }

  /** For endpoints answering 202/204 without a body. */
  async send(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
    try {
      await firstValueFrom(this.http.request(method, url(path), { body, responseType: 'text' }));
    } catch (error) {
      throw ApiError.from(error);
    }
  }

  private async call<S extends z.ZodType>(request: ReturnType<HttpClient['get']>, schema: S) {
    let body: unknown;
    try {
      body = await firstValueFrom(request);
    } catch (error) {
      throw ApiError.from(error);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      console.error('Unexpected API answer', parsed.error.issues);
      throw new ApiError(0, 'The server answered in a shape this console does not understand.', null, body);
    }
    return parsed.data as z.output<S>;
  }
}

/** Paths are relative to /api/v1 unless they name another part of the API (`/api/ready`). */
function url(path: string): string {
  return path.startsWith('/api/') ? path : apiBase + path;
}

export function toParams(query: Query): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params = params.set(key, String(value));
  }
  return params;
}
