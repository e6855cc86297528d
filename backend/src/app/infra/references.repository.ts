import { Injectable } from '@nestjs/common';
import type { Executor } from '../../core/database/database.ts';
import { UnprocessableContent, type FieldError } from '../../core/errors/problems.ts';

/** Foreign keys checked up front so the caller learns which field points nowhere (not a 500 from the database). */
@Injectable()
export class ReferencesRepository {
  async check(
    tx: Executor,
    refs: { clusterId?: string | null; customerId?: string | null; hostId?: string | null },
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (refs.clusterId) {
      const found = await tx
        .selectFrom('clusters')
        .select('id')
        .where('id', '=', refs.clusterId)
        .executeTakeFirst();
      if (!found) errors.push({ path: 'body.clusterId', message: 'no cluster has this id' });
    }
    if (refs.customerId) {
      const found = await tx
        .selectFrom('customers')
        .select('id')
        .where('id', '=', refs.customerId)
        .executeTakeFirst();
      if (!found) errors.push({ path: 'body.customerId', message: 'no customer has this id' });
    }
    if (refs.hostId) {
      const found = await tx
        .selectFrom('hosts')
        .select('id')
        .where('id', '=', refs.hostId)
        .executeTakeFirst();
      if (!found) errors.push({ path: 'body.hostId', message: 'no host has this id' });
    }
    if (errors.length > 0) throw new UnprocessableContent('Some referenced records do not exist.', errors);
  }
}
