/**
 * The names a config or the plugin may use, and the check that a misspelled one is an error (with
 * the closest name) instead of a silently ignored key: TypeScript configs catch it, JS and JSON do not.
 */
import { WixMediaError } from './errors.ts'
import type { WixMediaOptions } from './options.ts'

/** Every option's name: a misspelled one is an error, not a silently ignored key. */
export const OPTION_NAMES: readonly string[] = Object.keys({
  apiKey: true, siteId: true, apiBaseUrl: true, root: true, include: true, exclude: true, lockfile: true, cacheDir: true,
  folder: true, concurrency: true, requestsPerMinute: true, attempts: true, timeout: true, resumableThreshold: true,
  waitForReady: true, frozen: true, maxFileSize: true, maxDuration: true, dispatcher: true,
} satisfies Record<keyof WixMediaOptions, true>)

/** Fails on a name that is not an option (`known`), suggesting the closest one. `where`: the file or object it came from. */
export function checkOptionNames(options: object, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const near = closest(name, known)
    const suggestion = near === undefined ? '' : ` (did you mean \`${near}\`?)`
    throw new WixMediaError('WIX_MEDIA_CONFIG', `\`${name}\` is not an option${suggestion}`, {
      file: where,
      hint: `Options are: ${known.join(', ')}`,
    })
  }
}

/** The name in `known` that `name` is probably a misspelling of, or `undefined` when none is close. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const best = [...known].sort((a, b) => distance(name, a) - distance(name, b))[0]
  return best !== undefined && distance(name, best) <= Math.max(2, name.length / 3) ? best : undefined
}

/** Edit distance (Levenshtein), case-insensitive: how far a misspelled name is from an option. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[y.length]!
}
