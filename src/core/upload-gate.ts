/**
 * The gate before an upload: a file the lockfile does not have may be uploaded only by a run with
 * credentials and without `frozen`. The rule and its error live here, so that the engine (one file
 * at a time, as `wix-media sync` reports them) and the plugin (every file of a build in one error)
 * say the same thing.
 */
import { WixMediaError } from './errors.ts'
import type { ResolvedOptions } from './options.ts'
import { toProjectPath } from './project-path.ts'

/** Why a run may not upload: `frozen` is set, or the API key or the site id is missing. */
export type UploadBlock = 'frozen' | 'no-credentials'

/** Why this run may not upload files the lockfile does not have; `undefined` when it may. */
export function uploadBlock(options: Pick<ResolvedOptions, 'frozen' | 'apiKey' | 'siteId'>): UploadBlock | undefined {
  if (options.frozen) return 'frozen'
  if (!options.apiKey || !options.siteId) return 'no-credentials'
  return undefined
}

/**
 * The error for files the lockfile does not have and this run may not upload: `WIX_MEDIA_FROZEN` or
 * `WIX_MEDIA_AUTH`, naming the files, the cause and the environment variables to set. One file: an
 * error about it (its `file` set); several: one error that lists them all. `alternative`: another
 * fix the caller offers, after the usual one (`, or …`).
 */
export function blockedUploadError(
  options: Pick<ResolvedOptions, 'root' | 'lockfile'>,
  block: UploadBlock,
  files: readonly string[],
  alternative?: string,
): WixMediaError {
  const lockfile = toProjectPath(options.root, options.lockfile)
  const one = files.length === 1
  const cause = block === 'frozen' ? '`frozen` forbids uploads' : `there are no credentials to upload ${one ? 'it' : 'them'}`
  const fix = block === 'frozen'
    ? `Run \`wix-media sync\` (or a build) with WIX_API_KEY and WIX_SITE_ID set, and commit ${lockfile}`
    : 'Set WIX_API_KEY and WIX_SITE_ID (or the apiKey and siteId options)'
  const code = block === 'frozen' ? 'WIX_MEDIA_FROZEN' : 'WIX_MEDIA_AUTH'
  const hint = alternative ? `${fix}, or ${alternative}` : fix
  if (one) return new WixMediaError(code, `is not in the lockfile, and ${cause}`, { file: files[0], hint })
  return new WixMediaError(code, `${files.length} media file(s) are missing from ${lockfile}, and ${cause}:\n  ${files.join('\n  ')}\n`, { hint })
}
