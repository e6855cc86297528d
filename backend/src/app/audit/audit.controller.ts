import { Controller, Get, Inject } from '@nestjs/common';
import { auditListQuerySchema, auditPageSchema, type AuditListQuery } from '@skyy/contracts';
import { Roles } from '../../core/http/roles.ts';
import { Returns, ValidQuery } from '../../core/http/zod-params.ts';
import { AuditService } from './audit.service.ts';

@Controller('api/v1/audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @Roles('viewer')
  @Returns(auditPageSchema)
  list(@ValidQuery(auditListQuerySchema) query: AuditListQuery) {
    return this.audit.list(query);
  }
}
