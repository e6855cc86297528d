import { Module } from '@nestjs/common';
import { CustomersController } from './customers.controller.ts';
import { CustomersRepository } from './customers.repository.ts';
import { CustomersService } from './customers.service.ts';

@Module({
  controllers: [CustomersController],
  providers: [CustomersRepository, CustomersService],
  exports: [CustomersService, CustomersRepository],
})
export class CustomersModule {}
