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
  waitForReady: true, frozen: true, maxFileSize: true, dispatcher: true,
} satisfies Record<keyof WixMediaOptions, true>)

/** Fails on a name that is not an option (`known`), suggesting the closest one. `where`: the file or object it came from. */
export function checkOptionNames(options: object, known: readonly string[], where: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const closest = [...known].sort((a, b) => distance(name, a) - distance(name, b))[0]
    const suggestion = closest !== undefined && distance(name, closest) <= Math.max(2, name.length / 3) ? ` (did you mean \`${closest}\`?)` : ''
    throw new WixMediaError('WIX_MEDIA_CONFIG', `\`${name}\` is not an option${suggestion}`, {
      file: where,
      hint: `Options are: ${known.join(', ')}`,
    })
  }
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
