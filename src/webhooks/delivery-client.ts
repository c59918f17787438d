/**
 * One delivery attempt: a POST with MLflow's headers (webhooks/delivery.py: _send_webhook_request)
 * through node's http/https with a `lookup` that refuses non-public addresses, so the check is on
 * the address actually connected to and DNS rebinding cannot get round it (MLflow checks the
 * connected peer in webhooks/ssrf.py). IP-literal hosts, which node connects to without a lookup,
 * are checked directly, and the socket's peer is checked once more when it connects. No proxy is
 * used (MLflow sets trust_env = False for the same reason).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isPublicAddress } from './address-policy.js';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from './signing.js';

/** The most of a response body kept in the delivery log and returned by test_webhook. */
export const RESPONSE_EXCERPT_BYTES = 2048;

export interface DeliveryPolicy {
  readonly allowPrivateIps: boolean;
  readonly timeoutMs: number;
}

export interface AttemptResult {
  /** HTTP status, or null when no response came (refused, unreachable, timed out). */
  readonly status: number | null;
  readonly body: string;
  readonly retryAfter: string | undefined;
  /** Why no response came; set with `status: null`. */
  readonly error?: string;
  /** The address policy refused the destination: never retried (MLflow's SSRFProtectionError). */
  readonly refused?: boolean;
}

export class AddressRefused extends Error {}

/**
 * Connections are kept alive between deliveries (a receiver gets many): each new socket passes the
 * address policy when it connects, and a reused one is checked again before its request is sent.
 * No proxy is ever used: the agents connect directly.
 */
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: 60_000 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, timeout: 60_000 });

function refusal(ip: string): AddressRefused {
  return new AddressRefused(`Webhook connection blocked: ${ip} is not a public IP address. This may indicate a DNS rebinding attempt.`);
}

/** A dns.lookup that yields only public addresses (all of them must be: one private answer refuses the host). */
function publicLookup(hostname: string, options: dns.LookupOptions, callback: (err: Error | null, address: string | dns.LookupAddress[], family?: number) => void): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(refusal(bad.address), '', 0);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
    callback(null, first.address, first.family);
  });
}

export interface SendRequest {
  readonly url: string;
  readonly deliveryId: string;
  readonly body: string;
  /** The plaintext secret; no signature header without one (MLflow: `if webhook.secret`). */
  readonly secret: string | null;
  readonly now?: () => number;
}

export function sendOnce(request: SendRequest, policy: DeliveryPolicy): Promise<AttemptResult> {
  const now = request.now ?? Date.now;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (err) {
    return Promise.resolve({ status: null, body: '', retryAfter: undefined, error: `Invalid webhook URL: ${(err as Error).message}`, refused: true });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateIps && net.isIP(host) && !isPublicAddress(host)) {
    return Promise.resolve({ status: null, body: '', retryAfter: undefined, error: refusal(host).message, refused: true });
  }
  const timestamp = String(Math.floor(now() / 1000));
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(request.body),
    [DELIVERY_ID_HEADER]: request.deliveryId,
    [TIMESTAMP_HEADER]: timestamp,
    'User-Agent': 'flowreg-webhooks',
  };
  if (request.secret) headers[SIGNATURE_HEADER] = signPayload(request.secret, request.deliveryId, timestamp, request.body);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = lib.request(url, {
      method: 'POST',
      headers,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      timeout: policy.timeoutMs,
      ...(policy.allowPrivateIps ? {} : { lookup: publicLookup as never }),
    });
    req.on('socket', (socket) => {
      if (policy.allowPrivateIps) return;
      const check = () => {
        const peer = socket.remoteAddress;
        if (!peer || !isPublicAddress(peer)) req.destroy(refusal(peer ?? 'an unknown address'));
      };
      // A new socket is checked when it connects; a kept-alive one was, and is checked again here.
      if (socket.connecting) socket.once('connect', check);
      else check();
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${policy.timeoutMs} ms`)));
    req.on('error', (err) =>
      done({ status: null, body: '', retryAfter: undefined, error: err.message, refused: err instanceof AddressRefused }),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
          retryAfter: res.headers['retry-after'],
        }),
      );
      res.on('error', (err) => done({ status: res.statusCode ?? null, body: '', retryAfter: undefined, error: err.message }));
    });
    req.end(request.body);
  });
}

/** urllib3's Retry: 429 and 500/502/503/504 are retried (webhooks/delivery.py: status_forcelist). */
export function isRetryable(result: AttemptResult): boolean {
  if (result.refused) return false;
  if (result.status === null) return true;
  return [429, 500, 502, 503, 504].includes(result.status);
}

/**
 * The wait before retry number `retry` (1, 2, …): urllib3's backoff_factor 1 → 1 s, 2 s, 4 s … capped
 * at 60 s, plus up to 1 s of jitter; a Retry-After (seconds or an HTTP date) takes precedence, as
 * urllib3's respect_retry_after_header.
 */
export function retryDelayMs(retry: number, retryAfter: string | undefined, now: number, random: () => number = Math.random): number {
  if (retryAfter !== undefined) {
    const text = retryAfter.trim();
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    const date = Date.parse(text);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const base = Math.min(60_000, 1000 * 2 ** (retry - 1));
  return base + Math.floor(random() * 1000);
}
