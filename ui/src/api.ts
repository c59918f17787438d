/**
 * The one way the UI talks to the server: MLflow's own JSON API (the `ajax-api` twin of `/api`,
 * as MLflow's UI uses), relative to the page's `<base href>` so that `--static-prefix` works.
 * With a session, every state-changing request carries the CSRF token the server handed out.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf: { header: string; token: string } | undefined;
let onUnauthenticated: () => void = () => {};

export function setCsrf(value: { header: string; token: string } | undefined): void {
  csrf = value;
}

export function whenUnauthenticated(fn: () => void): void {
  onUnauthenticated = fn;
}

/** A URL under the page's base (the static prefix). */
export function url(path: string): string {
  return new URL(path, document.baseURI).toString();
}

/** A GET's query string takes scalars and lists of strings; a JSON body takes anything. */
type Query = Record<string, unknown>;

function queryString(params: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function call<T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, params: Query = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let target = url(path);
  let body: string | undefined;
  if (method === 'GET') target += queryString(params);
  else {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(params);
    if (csrf) headers[csrf.header] = csrf.token;
  }
  const res = await fetch(target, { method, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  let json: any = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (!res.ok) {
    if (res.status === 401 && !path.endsWith('flowreg/v1/session')) onUnauthenticated();
    throw new ApiError(res.status, json.error_code ?? String(res.status), json.message ?? res.statusText);
  }
  return json as T;
}

/** MLflow's JSON API under `ajax-api/2.0/mlflow/…`. */
export const mlflow = <T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', rpc: string, params: Query = {}) =>
  call<T>(method, `ajax-api/2.0/mlflow/${rpc}`, params);

export const mlflow3 = <T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', rpc: string, params: Query = {}) =>
  call<T>(method, `ajax-api/3.0/mlflow/${rpc}`, params);

export const flowreg = <T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', rpc: string, params: Query = {}) =>
  call<T>(method, `ajax-api/flowreg/v1/${rpc}`, params);

/** Reads a text file (MLmodel) through a download URL. */
export async function fetchText(href: string): Promise<string> {
  const res = await fetch(href, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, String(res.status), `${res.status} ${res.statusText}`);
  return res.text();
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
