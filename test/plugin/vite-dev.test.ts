/**
 * The Vite dev server: offline and instant by default (local files, no uploads, no credentials
 * needed), and with `dev: 'lockfile'` the lockfile's hosted URLs for imports, still without a single
 * API call. Pages are loaded in Chromium; the emulator's request log is the witness.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { build, createServer, type ViteDevServer } from 'vite'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseLockfile } from '../../src/core/lockfile.ts'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import type { WixMediaPluginOptions } from '../../src/plugin/options.ts'
import wixMedia from '../../src/vite.ts'
import { copyViteApp, imagesLoaded, launchChromium, probeImages, type ImageProbe } from '../support/browser.ts'

const TIMEOUT = 60_000

const GALLERY = [
  { name: 'gallery-dunes.png', alt: 'Dunes at noon', naturalWidth: 320 }, // default import
  { name: 'gallery-reef.png', alt: 'The reef', naturalWidth: 320 }, // ?url import
  { name: 'gallery-forest.png', alt: 'Forest trail', naturalWidth: 320 }, // new URL(…, import.meta.url)
  { name: 'gallery-dusk.png', alt: 'Dusk over the bay', naturalWidth: 640 }, // dynamic import
]

describe('the plugin in the Vite dev server', () => {
  let emulator: Emulator
  let browser: Browser
  const servers: ViteDevServer[] = []
  const dirs: string[] = []

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 5, processingMs: { VIDEO: 0 } })
    browser = await launchChromium()
  }, TIMEOUT)

  afterEach(async () => {
    vi.unstubAllEnvs()
    await Promise.all(servers.splice(0).map((server) => server.close()))
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })

  afterAll(async () => {
    await browser?.close()
    await emulator?.close()
  })

  async function project(): Promise<string> {
    const root = await copyViteApp()
    dirs.push(root)
    return root
  }

  /** A dev server for `root` on 127.0.0.1 (an ephemeral port); returns its origin. */
  async function serve(root: string, options: WixMediaPluginOptions): Promise<string> {
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false, ws: false },
      plugins: [wixMedia(options)],
    })
    servers.push(server)
    await server.listen()
    const { port } = server.httpServer!.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Opens the page, waits for the gallery, and returns the page and its gallery. */
  async function open(origin: string): Promise<{ page: Page; gallery: ImageProbe[]; failed: string[] }> {
    const page = await browser.newPage()
    const failed: string[] = []
    page.on('requestfailed', (request) => {
      failed.push(request.url())
    })
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`)
    })
    await page.goto(origin, { waitUntil: 'load', timeout: TIMEOUT })
    await page.waitForFunction(imagesLoaded('#gallery img', 4), undefined, { timeout: TIMEOUT })
    const gallery = await page.evaluate(probeImages('#gallery img')) as ImageProbe[]
    return { page, gallery, failed }
  }

  const local = (origin: string) => GALLERY.map(({ name, alt, naturalWidth }) => ({ src: `${origin}/src/assets/${name}`, alt, naturalWidth }))
  const shape = (gallery: ImageProbe[]) => gallery.map(({ src, alt, naturalWidth }) => ({ src, alt, naturalWidth }))

  it.each([
    {
      credentials: 'set',
      env: {},
      options: (): WixMediaPluginOptions => ({ apiKey: emulator.apiKey, siteId: emulator.siteId, apiBaseUrl: emulator.url }),
    },
    {
      credentials: 'none at all',
      env: { WIX_API_KEY: '', WIX_SITE_ID: '', WIX_API_BASE_URL: '' },
      options: (): WixMediaPluginOptions => ({ apiBaseUrl: emulator.url }),
    },
  ])('serves local files and makes no request to the Media Manager (credentials: $credentials)', async ({ env, options }) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
    const root = await project()
    const origin = await serve(root, options())
    emulator.clearRequests()
    const { page, gallery, failed } = await open(origin)
    try {
      expect(shape(gallery)).toEqual(local(origin))
      const logo = await page.evaluate(probeImages('img.logo')) as ImageProbe[]
      expect(logo.map(({ src, naturalWidth }) => ({ src, naturalWidth }))).toEqual([{ src: `${origin}/src/assets/logo.svg`, naturalWidth: 120 }])
      const background = await page.evaluate(`getComputedStyle(document.querySelector('.hero')).backgroundImage`) as string
      expect(background).toBe(`url("${origin}/src/assets/hero.png")`)
      expect(failed).toEqual([])
      expect(emulator.requests()).toEqual([])
    } finally {
      await page.close()
    }
  }, TIMEOUT)

  it("with dev: 'lockfile', serves imports, CSS, HTML and new URL() as the lockfile's hosted URLs, with zero API calls", async () => {
    // A build with credentials writes the lockfile, as a developer's build (or `wix-media sync`) would.
    const built = await project()
    await build({
      root: built,
      configFile: false,
      logLevel: 'silent',
      plugins: [wixMedia({ apiKey: emulator.apiKey, siteId: emulator.siteId, apiBaseUrl: emulator.url })],
    })
    const lockText = await readFile(join(built, 'wix-media.lock.json'), 'utf8')
    const lock = parseLockfile(lockText, 'wix-media.lock.json')
    const hosted = (name: string) => Object.values(lock.files).find((entry) => entry.paths.includes(`src/assets/${name}`))!.url

    // A fresh checkout of the project with the committed lockfile: another folder, so nothing the
    // build process kept in memory can answer for the lockfile on disk. No credentials.
    const root = await mkdtemp(join(tmpdir(), 'wix-media-vite-checkout-'))
    dirs.push(root)
    await cp(join(built, 'index.html'), join(root, 'index.html'))
    await cp(join(built, 'src'), join(root, 'src'), { recursive: true })
    await cp(join(built, 'wix-media.lock.json'), join(root, 'wix-media.lock.json'))
    vi.stubEnv('WIX_API_KEY', '')
    vi.stubEnv('WIX_SITE_ID', '')
    const origin = await serve(root, { apiBaseUrl: emulator.url, dev: 'lockfile' })
    emulator.clearRequests()

    // The modules the dev server hands out for the three import forms.
    const moduleText = async (path: string) => {
      const response = await fetch(`${origin}${path}`)
      expect(response.status, path).toBe(200)
      // Vite appends an inline source map; the module itself is the line before it.
      return (await response.text()).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '')
    }
    expect(await moduleText('/src/assets/gallery-dunes.png?import')).toBe(`export default ${JSON.stringify(hosted('gallery-dunes.png'))}`)
    expect(await moduleText('/src/assets/gallery-reef.png?url&import')).toBe(`export default ${JSON.stringify(hosted('gallery-reef.png'))}`)
    expect(await moduleText('/src/assets/gallery-dusk.png?import')).toBe(`export default ${JSON.stringify(hosted('gallery-dusk.png'))}`)
    expect(await moduleText('/src/main.js')).toContain('/src/assets/gallery-dunes.png')
    // CSS, HTML and new URL(…, import.meta.url) use the locked URLs too.
    expect(await moduleText('/src/main.js')).toContain(`new URL(${JSON.stringify(hosted('gallery-forest.png'))})`)
    expect(await moduleText('/src/style.css')).toContain(hosted('hero.png'))
    const html = await moduleText('/')
    expect(html).toContain(`src="${hosted('logo.svg')}"`)
    expect(html).toContain(`href="${hosted('favicon.png')}"`)
    expect(emulator.requests()).toEqual([])

    // In the browser: the imported pictures come from the emulator; the only requests the emulator
    // sees are the browser's media GETs, never an API call.
    const { page, gallery, failed } = await open(origin)
    try {
      const byAlt = new Map(gallery.map((image) => [image.alt, image]))
      expect(byAlt.get('Dunes at noon')).toMatchObject({ src: hosted('gallery-dunes.png'), naturalWidth: 320 })
      expect(byAlt.get('The reef')).toMatchObject({ src: hosted('gallery-reef.png'), naturalWidth: 320 })
      expect(byAlt.get('Dusk over the bay')).toMatchObject({ src: hosted('gallery-dusk.png'), naturalWidth: 640 })
      expect(byAlt.get('Forest trail')).toMatchObject({ src: hosted('gallery-forest.png'), naturalWidth: 320 })
      expect(failed).toEqual([])
      const requests = emulator.requests()
      expect(requests.length).toBeGreaterThanOrEqual(3)
      expect(requests.filter((entry) => entry.route !== 'media' || entry.method !== 'GET')).toEqual([])
    } finally {
      await page.close()
    }
    // The dev server (closed: its buildEnd has run) did not rewrite the committed lockfile.
    await Promise.all(servers.splice(0).map((server) => server.close()))
    expect(await readFile(join(root, 'wix-media.lock.json'), 'utf8')).toBe(lockText)
  }, TIMEOUT)
})
