/** Filled in by the auth module's migration (0002-auth). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuthTables {}
