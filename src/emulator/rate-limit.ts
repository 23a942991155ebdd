/** A per-site token bucket: `perMinute` requests a minute, refilled continuously. */
export interface RateLimiter {
  /** `0` when the request may go, else ms until one token is back. */
  take(site: string, now?: number): number
}

export function createRateLimiter(perMinute: number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const perMs = perMinute / 60_000
  return {
    take(site, now = Date.now()) {
      if (perMinute <= 0) return 0
      const bucket = buckets.get(site) ?? { tokens: perMinute, at: now }
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs)
      bucket.at = now
      buckets.set(site, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.ceil((1 - bucket.tokens) / perMs)
    },
  }
}
