import 'reflect-metadata';
import { Body, Param, ParseUUIDPipe, Query, type PipeTransform } from '@nestjs/common';
import { formatPath } from '@skyy/contracts';
import type { z } from 'zod';
import { NotFound, ValidationFailed } from '../errors/problems.ts';

/** Metadata the OpenAPI generator reads, so the document comes from the same schemas that validate. */
export const BODY_SCHEMA = 'skyy:body-schema';
export const QUERY_SCHEMA = 'skyy:query-schema';
export const RESPONSE_SCHEMA = 'skyy:response-schema';

class ZodPipe implements PipeTransform {
  constructor(
    private readonly schema: z.ZodType,
    private readonly where: 'body' | 'query',
  ) {}
  transform(value: unknown): unknown {
    const result = this.schema.safeParse(value ?? (this.where === 'body' ? undefined : {}));
    if (result.success) return result.data;
    throw new ValidationFailed(
      result.error.issues.map((issue) => ({
        path: formatPath([this.where, ...issue.path]),
        message: issue.message,
      })),
    );
  }
}

/** `@ValidBody(hostCreateSchema) body: HostCreate`: parsed, defaulted, and documented. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) Reflect.defineMetadata(BODY_SCHEMA, schema, target, key);
    Body(new ZodPipe(schema, 'body'))(target, key, index);
  };
}

export function ValidQuery(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) Reflect.defineMetadata(QUERY_SCHEMA, schema, target, key);
    Query(new ZodPipe(schema, 'query'))(target, key, index);
  };
}

/** A UUID path parameter; anything else is simply "not found" (ids are never guessable). */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      version: undefined,
      exceptionFactory: () => new NotFound(`${name} is not a valid id; the resource`),
    }),
  );
}

/** Documents the response body (and lets tests check responses against it). */
export function Returns(schema: z.ZodType, status = 200): MethodDecorator {
  return (target, key) => {
    Reflect.defineMetadata(RESPONSE_SCHEMA, { schema, status }, target, key);
  };
}
