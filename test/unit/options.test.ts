/** resolveOptions: defaults, environment, validation messages, frozen result. */
import { resolve } from 'node:path'
import { MockAgent } from 'undici'
import { describe, expect, it } from 'vitest'
import { WixMediaError } from '../../src/core/errors.ts'
import { DEFAULT_MEDIA_EXTENSIONS } from '../../src/core/media-types.ts'
import { checkOptionNames, OPTION_NAMES } from '../../src/core/option-names.ts'
import { DEFAULT_EXCLUDE, resolveOptions, type WixMediaOptions } from '../../src/core/options.ts'
import { unplugin } from '../../src/plugin/index.ts'

const ROOT = resolve('/tmp/wix-media-project')

function configFailure(options: WixMediaOptions, env: NodeJS.ProcessEnv = {}): WixMediaError {
  try {
    resolveOptions(options, env)
  } catch (error) {
    expect(error).toBeInstanceOf(WixMediaError)
    expect((error as WixMediaError).code).toBe('WIX_MEDIA_CONFIG')
    return error as WixMediaError
  }
  throw new Error('expected a WixMediaError, but the options were accepted')
}

/** Passes values the types forbid, as a JavaScript config file could. */
const loose = (options: Record<string, unknown>) => options as WixMediaOptions

describe('resolveOptions', () => {
  it('fills every default', () => {
    const options = resolveOptions({ root: ROOT }, {})
    expect(options).toEqual({
      apiKey: undefined,
      siteId: undefined,
      apiBaseUrl: 'https://www.wixapis.com',
      root: ROOT,
      include: [`**/*.{${DEFAULT_MEDIA_EXTENSIONS.join(',')}}`],
      exclude: DEFAULT_EXCLUDE,
      lockfile: resolve(ROOT, 'wix-media.lock.json'),
      cacheDir: resolve(ROOT, 'node_modules/.cache/unplugin-wix-media'),
      folder: '/unplugin-wix-media',
      concurrency: 6,
      requestsPerMinute: undefined,
      attempts: 6,
      timeout: 60_000,
      resumableThreshold: 10_000_000,
      waitForReady: 120_000,
      frozen: false,
      maxFileSize: {
        IMAGE: 25_000_000, VECTOR: 25_000_000, VIDEO: 4_000_000_000, AUDIO: 50_000_000,
        DOCUMENT: 300_000_000, ARCHIVE: 300_000_000, MODEL3D: 300_000_000, OTHER: 300_000_000,
      },
      maxDuration: {},
      dispatcher: undefined,
    })
    expect(options.frozen).toBe(false)
    expect(options.include[0]).toContain('jpg,jpeg,jfif,png')
  })

  it('defaults root to the working directory', () => {
    expect(resolveOptions({}, {}).root).toBe(process.cwd())
  })

  it('resolves a relative root and keeps absolute lockfile and cacheDir paths', () => {
    const options = resolveOptions({ root: 'sub/dir', lockfile: '/elsewhere/lock.json', cacheDir: '.cache' }, {})
    expect(options.root).toBe(resolve(process.cwd(), 'sub/dir'))
    expect(options.lockfile).toBe(resolve('/elsewhere/lock.json'))
    expect(options.cacheDir).toBe(resolve(process.cwd(), 'sub/dir', '.cache'))
  })

  it('reads WIX_API_KEY, WIX_SITE_ID and WIX_API_BASE_URL from the env parameter', () => {
    const options = resolveOptions({ root: ROOT }, { WIX_API_KEY: 'key-1', WIX_SITE_ID: 'site-1', WIX_API_BASE_URL: 'http://127.0.0.1:9999/' })
    expect(options.apiKey).toBe('key-1')
    expect(options.siteId).toBe('site-1')
    expect(options.apiBaseUrl).toBe('http://127.0.0.1:9999')
  })

  it('lets options win over the environment and treats empty variables as unset', () => {
    const env = { WIX_API_KEY: 'env-key', WIX_SITE_ID: 'env-site', WIX_API_BASE_URL: 'http://env' }
    const options = resolveOptions({ root: ROOT, apiKey: 'opt-key', siteId: 'opt-site', apiBaseUrl: 'http://opt//' }, env)
    expect([options.apiKey, options.siteId, options.apiBaseUrl]).toEqual(['opt-key', 'opt-site', 'http://opt'])
    const empty = resolveOptions({ root: ROOT }, { WIX_API_KEY: '', WIX_SITE_ID: '', WIX_API_BASE_URL: '' })
    expect([empty.apiKey, empty.siteId, empty.apiBaseUrl]).toEqual([undefined, undefined, 'https://www.wixapis.com'])
  })

  it('does not read process.env when an env is given', () => {
    const saved = process.env.WIX_API_KEY
    process.env.WIX_API_KEY = 'from-process'
    try {
      expect(resolveOptions({ root: ROOT }, {}).apiKey).toBeUndefined()
      expect(resolveOptions({ root: ROOT }).apiKey).toBe('from-process')
    } finally {
      if (saved === undefined) delete process.env.WIX_API_KEY
      else process.env.WIX_API_KEY = saved
    }
  })

  it('returns a frozen object with frozen lists and sizes', () => {
    const options = resolveOptions({ root: ROOT, include: ['**/*.png'], maxFileSize: { IMAGE: 5 } }, {})
    expect(Object.isFrozen(options)).toBe(true)
    expect(Object.isFrozen(options.include)).toBe(true)
    expect(Object.isFrozen(options.exclude)).toBe(true)
    expect(Object.isFrozen(options.maxFileSize)).toBe(true)
    expect(() => {
      (options as { concurrency: number }).concurrency = 99
    }).toThrow(TypeError)
    expect(options.concurrency).toBe(6)
  })

  it('does not share or change the caller\'s arrays', () => {
    const include = ['**/*.png']
    const options = resolveOptions({ root: ROOT, include }, {})
    include.push('**/*.jpg')
    expect(options.include).toEqual(['**/*.png'])
    expect(Object.isFrozen(include)).toBe(false)
  })

  it('accepts one glob string for include', () => {
    expect(resolveOptions(loose({ root: ROOT, include: '**/*.svg' }), {}).include).toEqual(['**/*.svg'])
  })

  it('normalizes the folder to one leading slash and no trailing slash', () => {
    expect(resolveOptions({ root: ROOT, folder: 'site-assets/build/' }, {}).folder).toBe('/site-assets/build')
    expect(resolveOptions({ root: ROOT, folder: '/a' }, {}).folder).toBe('/a')
  })

  it('merges maxFileSize over the defaults', () => {
    const options = resolveOptions({ root: ROOT, maxFileSize: { VIDEO: 1_000, IMAGE: 2 } }, {})
    expect(options.maxFileSize.VIDEO).toBe(1_000)
    expect(options.maxFileSize.IMAGE).toBe(2)
    expect(options.maxFileSize.AUDIO).toBe(50_000_000)
  })

  it('keeps the dispatcher, requestsPerMinute, frozen and waitForReady: false', () => {
    const dispatcher = new MockAgent()
    const options = resolveOptions({ root: ROOT, dispatcher, requestsPerMinute: 200, frozen: true, waitForReady: false }, {})
    expect(options.dispatcher).toBe(dispatcher)
    expect(options.requestsPerMinute).toBe(200)
    expect(options.frozen).toBe(true)
    expect(options.waitForReady).toBe(false)
    expect(resolveOptions({ root: ROOT, waitForReady: 0 }, {}).waitForReady).toBe(0)
  })
})

describe('resolveOptions: validation', () => {
  it.each([
    [{ concurrency: 0 }, 'Expected `concurrency` to be an integer ≥ 1, got 0'],
    [{ concurrency: 1.5 }, 'Expected `concurrency` to be an integer ≥ 1, got 1.5'],
    [loose({ concurrency: '4' }), 'Expected `concurrency` to be an integer ≥ 1, got "4"'],
    [{ concurrency: Number.NaN }, 'Expected `concurrency` to be an integer ≥ 1, got null'],
    [{ attempts: 0 }, 'Expected `attempts` to be an integer ≥ 1, got 0'],
    [{ timeout: -1 }, 'Expected `timeout` to be an integer ≥ 1, got -1'],
    [{ resumableThreshold: 0 }, 'Expected `resumableThreshold` to be an integer ≥ 1, got 0'],
    [{ requestsPerMinute: 0 }, 'Expected `requestsPerMinute` to be an integer ≥ 1, got 0'],
    [{ waitForReady: -5 }, 'Expected `waitForReady` to be an integer ≥ 0, got -5'],
    [loose({ waitForReady: true }), 'Expected `waitForReady` to be an integer ≥ 0, got true'],
    [{ maxFileSize: { IMAGE: 0 } }, 'Expected `maxFileSize.IMAGE` to be an integer ≥ 1, got 0'],
    [{ maxDuration: { VIDEO: 0 } }, 'Expected `maxDuration.VIDEO` to be a number of seconds > 0, got 0'],
    [loose({ maxDuration: { AUDIO: '10' } }), 'Expected `maxDuration.AUDIO` to be a number of seconds > 0, got "10"'],
    [loose({ maxDuration: { IMAGE: 10 } }), 'Expected `maxDuration` to be keyed by VIDEO or AUDIO, got "IMAGE"'],
  ] as [WixMediaOptions, string][])('rejects %j', (options, message) => {
    const error = configFailure({ root: ROOT, ...options })
    expect(error.message).toBe(`${message}. Fix the option (in wix-media.config, the plugin options or the command line)`)
  })

  it.each([
    ['', '""'],
    ['/', '"/"'],
    ['a//b', '"a//b"'],
    [`/${'x'.repeat(100)}`, `"/${'x'.repeat(100)}"`],
  ])('rejects the folder %j', (folder, shown) => {
    const error = configFailure({ root: ROOT, folder })
    expect(error.message).toBe(
      `Expected \`folder\` to be a folder path such as "/site-assets/build" (at most 100 characters), got ${shown}. Fix the option (in wix-media.config, the plugin options or the command line)`,
    )
  })

  it('rejects an unknown maxFileSize key, naming the media types', () => {
    const error = configFailure(loose({ root: ROOT, maxFileSize: { PICTURE: 5 } }))
    expect(error.message).toBe(
      'Expected `maxFileSize` to be keyed by a media type (IMAGE, VECTOR, VIDEO, AUDIO, DOCUMENT, ARCHIVE, MODEL3D, OTHER), got "PICTURE". ' +
      'Fix the option (in wix-media.config, the plugin options or the command line)',
    )
  })

  it.each([
    ['include', loose({ include: ['**/*.png', ''] })],
    ['include', loose({ include: [3] })],
    ['exclude', loose({ exclude: { a: 1 } })],
  ])('rejects bad %s globs', (name, options) => {
    const error = configFailure({ root: ROOT, ...options })
    expect(error.message).toMatch(new RegExp(`^Expected \`${name}\` to be an array of glob strings, got `))
  })
})

describe('DEFAULT_MEDIA_EXTENSIONS', () => {
  it('covers images, SVG, video, audio, PDF and office documents, not text, archives or 3D models', () => {
    for (const extension of ['png', 'jpg', 'webp', 'avif', 'svg', 'mp4', 'webm', 'mp3', 'wav', 'pdf', 'docx', 'pptx']) {
      expect(DEFAULT_MEDIA_EXTENSIONS).toContain(extension)
    }
    for (const extension of ['txt', 'csv', 'zip', 'gz', 'glb', 'gltf']) expect(DEFAULT_MEDIA_EXTENSIONS).not.toContain(extension)
  })
})

describe('option names', () => {
  it('the plugin refuses a misspelled option, naming the one it probably meant (a JS config has no types to catch it)', () => {
    const error = (() => {
      try {
        unplugin.rollup({ fallbak: 'local' } as never)
      } catch (thrown) {
        return thrown as WixMediaError
      }
      throw new Error('expected the plugin to refuse `fallbak`')
    })()
    expect(error.code).toBe('WIX_MEDIA_CONFIG')
    expect(error.message).toMatch(/^the plugin options: `fallbak` is not an option \(did you mean `fallback`\?\)\. Options are: apiKey, /)
  })

  it('suggests nothing for a name far from every option', () => {
    expect(() => checkOptionNames({ colour: 'red' }, OPTION_NAMES, 'x.json')).toThrow(/^x\.json: `colour` is not an option\. Options are:/)
  })
})
