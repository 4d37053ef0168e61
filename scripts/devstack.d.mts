// Types for scripts/devstack.mjs (plain JavaScript, so that it runs with Node alone).
export interface DevstackUrls {
  lms: string;
  bff: string;
  learner: string;
  admin: string;
}
export interface Devstack {
  urls: DevstackUrls;
  dataDir: string;
  seeded: boolean;
  pid: number;
  stop(): Promise<void>;
  exited: Promise<number | string | null>;
}
export interface SignedIn {
  cookies: { name: string; value: string; httpOnly: boolean; domain: string; path: string }[];
  cookieHeader: string;
  csrfToken: string;
}
export const PYTHON: string;
export const DEFAULT_PORTS: Readonly<{ lms: number; bff: number; learner: number; admin: number }>;
export const DEFAULT_DATA_DIR: string;
export const PASSWORD: string;
export const LOGINS: readonly { username: string; role: string }[];
export const CUSTOMERS: readonly string[];
export class DevstackError extends Error {
  details: Record<string, unknown>;
}
export function startDevstack(options?: {
  dataDir?: string;
  reset?: boolean;
  ports?: Partial<{ lms: number; bff: number; learner: number; admin: number }>;
  timeoutMs?: number;
  onLog?: (line: string) => void;
}): Promise<Devstack>;
export function signIn(lmsUrl: string, username: string, password?: string): Promise<SignedIn>;
