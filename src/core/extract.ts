// (method, url, status, body) -> a FlagSnapshot, or a Diagnostic that says in words why not.
// Pure: runs in the background, in tests, anywhere.
import { ruleFor } from './sources';
import { isRecord } from './sources/rule';
import type { Diagnostic, FlagSnapshot } from './types';
import { BODY_CAP } from './envelope';

export interface CapturedResponse {
  method: string;
  url: string;
  status: number;
  /** The body as text, or null when the interceptor did not read it. */
  body: string | null;
  /** Why the body is null or partial (too large, unreadable), when it is. */
  bodyNote: string | null;
  capturedAt: number;
}

/**
 * What the DevTools panel shows of a response beyond its flags: the body's length and the
 * `enterprise_features` value as parsed (a reference into the parsed body: nothing is copied unless a
 * panel watches the tab, see `encodeResults`).
 */
export interface ResponseExtras {
  size: number;
  features: unknown;
}

export type ExtractResult =
  | { kind: 'snapshot'; snapshot: FlagSnapshot; problems: Diagnostic[]; extras?: ResponseExtras }
  | { kind: 'diagnostic'; diagnostic: Diagnostic }
  | { kind: 'ignored' };

function describeNonJson(body: string): string {
  const start = body.trimStart().slice(0, 15).toLowerCase();
  if (start.startsWith('<!doctype') || start.startsWith('<html') || start.startsWith('<')) {
    return 'the body is an HTML page, not JSON (an error page or a sign-in redirect?)';
  }
  if (body.trim() === '') return 'the body is empty';
  return 'the body is not valid JSON (truncated or malformed)';
}

/** `url`: the response's URL already parsed, when the caller has it (the content script does). */
export function extract(response: CapturedResponse, url: URL | null = null): ExtractResult {
  if (url === null) {
    try {
      url = new URL(response.url);
    } catch {
      return { kind: 'ignored' };
    }
  }
  const rule = ruleFor(response.method, url);
  if (!rule) return { kind: 'ignored' };
  const diagnostic = (reason: string): ExtractResult => ({
    kind: 'diagnostic',
    diagnostic: { url: response.url, method: response.method, source: rule.id, at: response.capturedAt, reason },
  });
  if (response.body === null) return diagnostic(response.bodyNote ?? 'the body could not be read');
  if (response.status < 200 || response.status > 299) {
    return diagnostic(`the server answered HTTP ${response.status}, so no flags were read from it`);
  }
  // The interceptor forwards no longer body; one from elsewhere (a test, the bench) is held to the same cap.
  if (response.body.length > BODY_CAP) {
    return diagnostic(`the body is ${response.body.length} characters, over the ${BODY_CAP} character capture cap`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return diagnostic(describeNonJson(response.body));
  }
  const result = rule.extract(parsed);
  if (!result.ok) return diagnostic(result.reason);
  const { flags, enterprise, username, problems } = result.value;
  return {
    kind: 'snapshot',
    snapshot: {
      source: rule.id,
      method: response.method.toUpperCase(),
      url: response.url,
      status: response.status,
      capturedAt: response.capturedAt,
      flags,
      enterprise,
      username,
    },
    problems: problems.map((reason) => ({
      url: response.url,
      method: response.method,
      source: rule.id,
      at: response.capturedAt,
      reason,
    })),
    extras: { size: response.body.length, features: isRecord(parsed) ? parsed['enterprise_features'] : undefined },
  };
}
