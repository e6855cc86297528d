export interface CustomersTable {
  id: string;
  name: string;
  name_key: string;
  email: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}
export interface CustomerTables {
  customers: CustomersTable;
}
