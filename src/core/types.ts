// The data model shared by every part of the extension. Pure types: no runtime code.

/** What a check of untrusted input gives: the checked value's fields (`ok: true`), or a sentence that says
 * why the input was refused (`parseOrigin`, `parseEnvelope`, each source rule's `extract`). */
export type Checked<T extends object> = ({ ok: true } & T) | { ok: false; reason: string };

/** The endpoints that carry `enterprise_features`, one rule each (see `sources/`). */
export type SourceId =
  | 'enterprise-learner'
  | 'enterprise-customer'
  | 'enterprise-customer-dashboard-list'
  | 'enterprise-customer-with-access-to'
  | 'enterprise-customer-support-tool'
  | 'bff-learner';

/** One key of an `enterprise_features` map as the portal received it. */
export interface FlagValue {
  /** The response key, e.g. `enterprise_learner_bff_enabled`. */
  key: string;
  /** The Waffle flag behind the key, or null when the key is not in our table (shown as it is). */
  flag: string | null;
  on: boolean;
}

export interface EnterpriseRef {
  uuid: string;
  name: string;
  slug: string;
}

/** What one captured response said. */
export interface FlagSnapshot {
  source: SourceId;
  method: string;
  /** The request URL, absolute. */
  url: string;
  status: number;
  /** Epoch milliseconds at which the response was captured. */
  capturedAt: number;
  flags: FlagValue[];
  enterprise: EnterpriseRef | null;
  /** Username the response was evaluated for, when the body names one. */
  username: string | null;
}

/** A response that matched a source but could not be read, with the reason in words. */
export interface Diagnostic {
  url: string;
  method: string;
  source: SourceId | null;
  at: number;
  reason: string;
}

export interface EnterpriseRole {
  role: string;
  /** A customer uuid, or `*` for all customers. */
  context: string;
}

export interface Identity {
  username: string;
  email: string;
  name: string;
  userId: number | null;
  staff: boolean;
  superuser: boolean;
  roles: EnterpriseRole[];
  /** Epoch seconds, from `exp`; null when the token has none. */
  expiresAt: number | null;
}

export type IdentityResult =
  | { status: 'ok'; cookieName: string; identity: Identity }
  | { status: 'expired'; cookieName: string; identity: Identity }
  | { status: 'missing' }
  | { status: 'garbled'; cookieName: string; reason: string };

export type PortalKind = 'learner' | 'admin';

export interface Environment {
  id: string;
  label: string;
  /** Whether this is one of the built-in presets or one the user added. */
  preset: boolean;
  learnerPortals: string[];
  adminPortals: string[];
  lms: string;
  enterpriseAccess: string | null;
  /** Prefix of the JWT cookie names, e.g. `stage-`; empty for none. */
  jwtCookiePrefix: string;
}

export interface PageContext {
  /** The environment whose portal origins include this page, or null for another host. */
  environment: Environment | null;
  portal: PortalKind | null;
}

/** Everything captured during one load of a document in a tab. */
export interface PageLoad {
  id: string;
  url: string;
  startedAt: number;
  snapshots: FlagSnapshot[];
}

/** Per-tab state kept in `storage.session`. */
export interface TabState {
  tabId: number;
  origin: string;
  url: string;
  identity: IdentityResult;
  /** `?feature=` parameters of the page URL: front-end-only overrides the backend never sees. */
  featureParams: string[];
  /** Most recent first; the first is the current load. */
  loads: PageLoad[];
  /** Most recent first. */
  diagnostics: Diagnostic[];
}

/** What one source said about a flag during a load: its latest value there, and when. */
export interface SourceValue {
  source: SourceId;
  url: string;
  capturedAt: number;
  on: boolean;
}

/** A flag as the popup shows it: the latest value seen during the current load. */
export interface FlagRow extends FlagValue {
  source: SourceId;
  url: string;
  capturedAt: number;
  /**
   * The latest value of each source that reported the flag in this load, oldest first. Sources can
   * disagree in one load: the BFF asks the LMS with only the JWT, so the browser's `dwft_`/`dwf_`
   * cookies and query string never reach that evaluation.
   */
  values: SourceValue[];
  /** True when two sources of this load said different values. */
  differs: boolean;
  /** Value in the previous load, or undefined if the flag was not seen then. */
  previous: boolean | undefined;
  /** True when the previous load saw this flag with another value, or not at all. */
  changed: boolean;
}
