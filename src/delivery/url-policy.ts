import { ApiError } from "../lib/errors";

const BLOCKED_NAMES = [/^localhost$/, /\.localhost$/, /\.internal$/, /\.local$/];

function ipv4Private(host: string): boolean | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const [a, b] = parts.map(Number) as [number, number, number, number];
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

function ipv6Private(host: string): boolean | null {
  if (!host.startsWith("[")) return null;
  const address = host.slice(1, -1).toLowerCase();
  if (address === "::1" || address === "::") return true;
  // IPv4-mapped addresses (::ffff:a.b.c.d, normalised by URL to hex) reach IPv4 hosts.
  if (address.startsWith("::ffff:")) return true;
  const first = Number.parseInt(address.split(":")[0] || "0", 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

const isLoopbackForDev = (host: string) => host === "localhost" || host === "127.0.0.1" || host === "[::1]";

/**
 * Why a webhook URL is refused, or null when it may be called. Deliveries must not reach into
 * Parley's own network (SSRF), so private, loopback and link-local hosts are refused; local
 * development can opt in to http://localhost with ALLOW_LOCALHOST_WEBHOOKS.
 */
export function webhookUrlProblem(raw: string, allowLocalhost: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "it is not a valid absolute URL.";
  }
  const host = url.hostname.toLowerCase();
  if (allowLocalhost && isLoopbackForDev(host) && (url.protocol === "http:" || url.protocol === "https:")) return null;
  if (url.protocol !== "https:") return "webhook URLs must use https.";
  if (url.username || url.password) return "the URL must not contain credentials; authenticate deliveries with the signing secret instead.";
  if (BLOCKED_NAMES.some((pattern) => pattern.test(host))) return `"${host}" is a local name that cannot be reached from Parley.`;
  if (ipv4Private(host) || ipv6Private(host)) return `"${host}" is a private, loopback or link-local address.`;
  return null;
}

export const allowsLocalhost = (env: Env) => env.ALLOW_LOCALHOST_WEBHOOKS === "true";

export function assertWebhookUrl(env: Env, url: string, param = "url") {
  const problem = webhookUrlProblem(url, allowsLocalhost(env));
  if (problem) throw new ApiError("validation_failed", `Invalid '${param}': ${problem}`, { param });
}
