/** Wix's authentication: `Authorization: <API key>` (no Bearer) and `wix-site-id`. */
import type { IncomingMessage } from 'node:http'
import type { Access } from './http/router.ts'
import type { ResolvedEmulatorOptions } from './options.ts'
import { applicationError } from './wix-errors.ts'

/** Checks the credentials of an API request; throws 401/403 in Wix's shape. */
export function authenticate(req: IncomingMessage, access: Access, options: ResolvedEmulatorOptions): void {
  if (access === 'none') return
  const key = req.headers.authorization?.trim()
  if (!key) {
    throw applicationError(401, 'UNAUTHENTICATED', 'Missing Authorization header: send the API key as `Authorization: <key>`')
  }
  const role = options.keys.get(key)
  if (!role) throw applicationError(401, 'UNAUTHENTICATED', 'The API key or access token is not valid')
  const site = req.headers['wix-site-id']
  if (typeof site !== 'string' || site === '') {
    throw applicationError(401, 'UNAUTHENTICATED', 'Missing wix-site-id header: site-level APIs need the site id')
  }
  if (site !== options.siteId) {
    throw applicationError(403, 'PERMISSION_DENIED', `The API key has no access to site ${site}`)
  }
  if (access === 'manage' && role !== 'manage') {
    throw applicationError(403, 'PERMISSION_DENIED', 'The API key lacks the "Manage Media Manager" permission')
  }
}
