/** Injection tokens for values that are not classes. */
export const DB = Symbol('Db');
export const CONFIG = Symbol('SkyyConfig');
export const LOGGER = Symbol('Logger');
