export { hostsImport, type HostsImportOptions } from './import.ts';
export { hostsList, type HostsListOptions } from './list.ts';
