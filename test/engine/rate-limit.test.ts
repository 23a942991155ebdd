/**
 * A sync against the emulator's real rate limit (a token bucket of `rateLimit` calls, refilled at
 * `rateLimit` a minute), over HTTP on 127.0.0.1, with the default `attempts` and no
 * `requestsPerMinute`: the pace falls below the limit and every file is recorded, with or without
 * `Retry-After`.
 *
 * 6/min: the bucket lets the folder lookup and five upload URLs through, and the sixth file waits
 * ~10 s for the next token: longer than six attempts' backoff (at most 7.75 s), so a run whose 429s
 * use up `attempts` fails here for certain. (With an emulator option for a shorter window, these
 * could run in a second.)
 */
import { describe, expect, it } from 'vitest'
import { png } from '../support/media.ts'
import { pathsInLock, readLock, routeCounts, syncProject, useFixtures, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

const files: Tree = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`img/${i}.png`, png(4, 4, 200 + i)] as const))

describe('sync against a site rate limit below any pace it starts with', () => {
  it.each([
    { name: 'no Retry-After (as Wix documents)', retryAfter: false as const },
    { name: 'a Retry-After shorter than the wait for a token', retryAfter: 1 },
  ])('6 calls a minute, $name: slower, but every file is recorded', async ({ retryAfter }) => {
    const emulator = await fixtures.emulator({ rateLimit: 6, rateLimitRetryAfter: retryAfter })
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { attempts: 6 })

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(6)
    expect(Object.keys(pathsInLock(await readLock(root))).sort()).toEqual(Object.keys(files).sort())
    const log = emulator.requests()
    expect(routeCounts(log.filter((entry) => entry.status === 200))).toEqual({ listFolders: 1, generateUploadUrl: 6, upload: 6 })
    // Refused calls, while the pace fell from 20 calls a second: a handful, not one per attempt of every file.
    const refused = log.filter((entry) => entry.status === 429).length
    expect(refused).toBeGreaterThan(0)
    expect(refused).toBeLessThan(20)
  }, 40_000)
})
