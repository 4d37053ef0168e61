// Who is signed in, from the `edx-jwt-cookie-header-payload` cookie (header.payload of the LMS JWT;
// the signature is an HttpOnly cookie we never see). For display only: the backend decides what the
// user may do. Nothing here is stored but the claims it returns.
import type { EnterpriseRole, Identity, IdentityResult } from './types';

export const JWT_COOKIE_SUFFIX = 'edx-jwt-cookie-header-payload';
const ENTERPRISE_ROLE = /^enterprise_[a-z_]+$/;

/** Finds the JWT header.payload cookie, preferring `${prefix}edx-jwt-cookie-header-payload`. */
export function findJwtCookie(cookieHeader: string, prefix = ''): { name: string; value: string } | null {
  let fallback: { name: string; value: string } | null = null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name.endsWith(JWT_COOKIE_SUFFIX)) continue;
    const value = part.slice(eq + 1).trim();
    if (name === prefix + JWT_COOKIE_SUFFIX) return { name, value };
    fallback ??= { name, value };
  }
  return fallback;
}

function base64UrlDecode(segment: string): string | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) return null;
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  try {
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function str(value: unknown, max = 300): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function parseRoles(value: unknown): EnterpriseRole[] {
  if (!Array.isArray(value)) return [];
  const roles: EnterpriseRole[] = [];
  for (const entry of value.slice(0, 100)) {
    if (typeof entry !== 'string') continue;
    const colon = entry.indexOf(':');
    const role = colon < 0 ? entry : entry.slice(0, colon);
    if (!ENTERPRISE_ROLE.test(role)) continue;
    roles.push({ role, context: colon < 0 ? '*' : entry.slice(colon + 1, colon + 65) });
  }
  return roles;
}

/** Decodes a `header.payload` cookie value into an identity, or says what is wrong with it. */
export function parseJwtCookie(name: string, rawValue: string, nowSeconds: number): IdentityResult {
  let value = rawValue;
  if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  try {
    value = decodeURIComponent(value);
  } catch {
    return { status: 'garbled', cookieName: name, reason: 'the cookie is not validly URL-encoded' };
  }
  const parts = value.split('.');
  if (parts.length < 2 || parts.length > 3) {
    return { status: 'garbled', cookieName: name, reason: 'the cookie is not a JWT header.payload pair' };
  }
  const json = base64UrlDecode(parts[1] ?? '');
  if (json === null) return { status: 'garbled', cookieName: name, reason: 'the JWT payload is not base64url text' };
  let claims: unknown;
  try {
    claims = JSON.parse(json);
  } catch {
    return { status: 'garbled', cookieName: name, reason: 'the JWT payload is not JSON' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    return { status: 'garbled', cookieName: name, reason: 'the JWT payload is not an object of claims' };
  }
  const c = claims as Record<string, unknown>;
  const username = str(c['preferred_username'], 150);
  if (!username) return { status: 'garbled', cookieName: name, reason: 'the JWT has no preferred_username claim' };
  const exp = typeof c['exp'] === 'number' && Number.isFinite(c['exp']) ? c['exp'] : null;
  const identity: Identity = {
    username,
    email: str(c['email'], 254),
    name: str(c['name']),
    userId: typeof c['user_id'] === 'number' ? c['user_id'] : null,
    staff: c['administrator'] === true,
    superuser: c['superuser'] === true,
    roles: parseRoles(c['roles']),
    expiresAt: exp,
  };
  if (exp !== null && exp <= nowSeconds) return { status: 'expired', cookieName: name, identity };
  return { status: 'ok', cookieName: name, identity };
}

/** Identity from a `document.cookie` string. */
export function identityFromCookies(cookieHeader: string, prefix: string, nowSeconds: number): IdentityResult {
  const cookie = findJwtCookie(cookieHeader, prefix);
  if (!cookie) return { status: 'missing' };
  return parseJwtCookie(cookie.name, cookie.value, nowSeconds);
}

/** One sentence about the identity for warnings and reports. */
export function describeIdentityProblem(result: IdentityResult): string | null {
  switch (result.status) {
    case 'ok':
      return null;
    case 'missing':
      return 'No edx-jwt-cookie-header-payload cookie on this page: you are not signed in to the LMS, or the cookie is on another domain. Sign in, then reload.';
    case 'expired':
      return `Your LMS session token (${result.cookieName}) has expired: the portal will refresh it on its next call, or sign in again.`;
    case 'garbled':
      return `The ${result.cookieName} cookie could not be read: ${result.reason}.`;
  }
}

const COOKIE_NAME = /^[\w.-]{1,200}$/;

/**
 * An IdentityResult that arrived in a message, checked field by field with the caps the cookie parser
 * applies; null when it is not one.
 */
export function checkIdentityResult(value: unknown): IdentityResult | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (v['status'] === 'missing') return { status: 'missing' };
  const cookieName = v['cookieName'];
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) return null;
  if (v['status'] === 'garbled') {
    return typeof v['reason'] === 'string'
      ? { status: 'garbled', cookieName, reason: v['reason'].slice(0, 300) }
      : null;
  }
  if (v['status'] !== 'ok' && v['status'] !== 'expired') return null;
  const i = v['identity'];
  if (typeof i !== 'object' || i === null || Array.isArray(i)) return null;
  const c = i as Record<string, unknown>;
  const username = str(c['username'], 150);
  if (!username) return null;
  const number = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
  const identity: Identity = {
    username,
    email: str(c['email'], 254),
    name: str(c['name']),
    userId: number(c['userId']),
    staff: c['staff'] === true,
    superuser: c['superuser'] === true,
    roles: Array.isArray(c['roles'])
      ? c['roles']
          .slice(0, 100)
          .filter(
            (r): r is { role: string; context: string } =>
              typeof r === 'object' &&
              r !== null &&
              typeof (r as Record<string, unknown>)['role'] === 'string' &&
              ENTERPRISE_ROLE.test((r as Record<string, string>)['role'] ?? '') &&
              typeof (r as Record<string, unknown>)['context'] === 'string',
          )
          .map((r) => ({ role: r.role, context: r.context.slice(0, 64) }))
      : [],
    expiresAt: number(c['expiresAt']),
  };
  return { status: v['status'], cookieName, identity };
}
