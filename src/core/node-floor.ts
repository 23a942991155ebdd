/**
 * The oldest Node this package runs on (package.json `engines`: undici 8 needs 22.19). The CLI
 * checks it before a command loads, the plugin when it is created, so that an older Node gets a
 * sentence instead of a stack trace from deep inside a dependency.
 */
export const NODE_FLOOR = '22.19.0'

/** Whether `version` (`process.versions.node`, e.g. `20.19.4`) is older than {@link NODE_FLOOR}. */
export function belowNodeFloor(version: string): boolean {
  const have = version.split('.').map(Number)
  const need = NODE_FLOOR.split('.').map(Number)
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) < need[i]!
  }
  return false
}

/** What to tell the user on a Node older than {@link NODE_FLOOR}, or `undefined` on one new enough. */
export function nodeTooOld(version = process.versions.node): string | undefined {
  return belowNodeFloor(version) ? `Node ${version} is too old; unplugin-wix-media needs Node ${NODE_FLOOR} or newer` : undefined
}
