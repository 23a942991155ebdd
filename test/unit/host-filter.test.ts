/**
 * Which files the plugin hosts: `include` minus `exclude`, both case-insensitive as the scan's
 * (fast-glob with `caseSensitiveMatch: false`), so that a build and `wix-media sync` agree.
 */
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { resolveOptions } from '../../src/core/options.ts'
import { createHost } from '../../src/plugin/host.ts'
import { resolvePluginSettings } from '../../src/plugin/options.ts'

it('leaves out a file whose name matches `exclude` in another case, as the scan does', () => {
  const root = join('/', 'project')
  const options = resolveOptions({ root, exclude: ['**/node_modules/**', '**/*.png'] }, {})
  const host = createHost(options, resolvePluginSettings({}), { info: () => {}, warn: () => {} })
  expect(host.wants(join(root, 'src/low.png'))).toBe(false)
  expect(host.wants(join(root, 'src/UP.PNG'))).toBe(false)
  expect(host.wants(join(root, 'src/photo.JPG'))).toBe(true)
  expect(host.wants(join(root, 'node_modules/pkg/logo.SVG'))).toBe(false)
})
