// Types of api-target.mjs for the TypeScript tests that import it (e2e/dev-proxy.spec.ts).
export declare const repo: string;
export declare function targetFor(server: { host: string; port: number }): string;
export declare function devApiTarget(env?: Record<string, string | undefined>, cwd?: string): Promise<string>;
