import { inject, Injectable } from '@angular/core';
import {
  customerPageSchema,
  customerSchema,
  type CustomerCreate,
  type CustomerUpdate,
} from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';

@Injectable({ providedIn: 'root' })
export class CustomersApi {
  private readonly api = inject(Api);

  list(query: Query) {
    return this.api.get('/customers', customerPageSchema, query);
  }
  get(id: string) {
    return this.api.get(`/customers/${id}`, customerSchema);
  }
  create(customer: CustomerCreate) {
    return this.api.post('/customers', customer, customerSchema);
  }
  update(id: string, customer: CustomerUpdate) {
    return this.api.patch(`/customers/${id}`, customer, customerSchema);
  }
  delete(id: string) {
    return this.api.send('DELETE', `/customers/${id}`);
  }
}
