import { Controller, Delete, Get, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import {
  customerCreateSchema,
  customerListQuerySchema,
  customerPageSchema,
  customerSchema,
  customerUpdateSchema,
  type CustomerCreate,
  type CustomerListQuery,
  type CustomerUpdate,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { CustomersService } from './customers.service.ts';

@Controller('api/v1/customers')
export class CustomersController {
  constructor(@Inject(CustomersService) private readonly customers: CustomersService) {}

  @Get()
  @Roles('viewer', 'customer')
  @Returns(customerPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(customerListQuerySchema) query: CustomerListQuery) {
    return this.customers.list(caller, query);
  }

  @Get(':id')
  @Roles('viewer', 'customer')
  @Returns(customerSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.customers.get(caller, id);
  }

  @Post()
  @Roles('operator')
  @Returns(customerSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(customerCreateSchema) body: CustomerCreate) {
    return this.customers.create(caller, body);
  }

  @Patch(':id')
  @Roles('operator')
  @Returns(customerSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(customerUpdateSchema) body: CustomerUpdate,
  ) {
    return this.customers.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.customers.delete(caller, id);
  }
}
