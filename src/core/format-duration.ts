/** Durations as people read them, in messages and progress lines. */

/**
 * `999 ms`, `1.0 s`, `59.9 s`, `1 min 0 s`, `59 min 59 s`, `1 h 0 min`: rounded first, so that a
 * part never shows its unit's limit (119.6 s is `2 min 0 s`, not `1 min 60 s`).
 */
export function formatDuration(ms: number): string {
  const rounded = Math.round(Math.max(0, ms))
  if (rounded < 1000) return `${rounded} ms`
  const seconds = ms / 1000
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`
  const wholeSeconds = Math.round(seconds)
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)} min ${wholeSeconds % 60} s`
  const minutes = Math.round(seconds / 60)
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
