/**
 * The whole promise, end to end in a real browser: the fixture Vite site, built with the plugin
 * against the emulator, served from a plain static server, opened in Chromium. Every picture,
 * the favicon, the CSS background, the video poster, the video and the PDF link must come from
 * the emulator's origin (the "Media Manager"), and the site server must only ever be asked for
 * HTML, JS and CSS. Each hosted URL is checked against the lockfile, so a reference that points at
 * the wrong file fails too.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page, Response } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLockfile, type LockfileData } from '../../src/core/lockfile.ts'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import wixMedia from '../../src/vite.ts'
import { copyViteApp, imagesLoaded, launchChromium, probeImages, serveStatic, VITE_APP, type ImageProbe, type StaticSite } from '../support/browser.ts'

const TIMEOUT = 60_000

interface Seen {
  url: string
  status: number
  contentType: string
}

describe('the fixture Vite site, built with the plugin, in Chromium', () => {
  let emulator: Emulator
  let root: string
  let site: StaticSite
  let browser: Browser
  let page: Page
  let lock: LockfileData
  const seen: Seen[] = []
  const screenshot = join(tmpdir(), `wix-media-vite-site-${process.pid}-${Date.now()}.png`)

  /** The hosted URL the lockfile holds for a fixture file (`src/assets/<name>`). */
  const hosted = (name: string): string => {
    const path = `src/assets/${name}`
    const entry = Object.values(lock.files).find((file) => file.paths.includes(path))
    if (!entry) throw new Error(`${path} is not in the lockfile`)
    return entry.url
  }
  const fromEmulator = (url: string) => url.startsWith(`${emulator.url}/`)
  const fetchedOk = (url: string) => seen.some((response) => response.url === url && (response.status === 200 || response.status === 206))

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 11, processingMs: { VIDEO: 0 } })
    root = await copyViteApp()
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [wixMedia({ apiKey: emulator.apiKey, siteId: emulator.siteId, apiBaseUrl: emulator.url })],
    })
    lock = parseLockfile(await readFile(join(root, 'wix-media.lock.json'), 'utf8'), 'wix-media.lock.json')
    site = await serveStatic(join(root, 'dist'))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1024, height: 900 } })
    page.on('response', (response: Response) => {
      seen.push({ url: response.url(), status: response.status(), contentType: response.headers()['content-type'] ?? '' })
    })
    await page.goto(site.url, { waitUntil: 'load', timeout: TIMEOUT })
    await page.waitForFunction(imagesLoaded('#gallery img', 4), undefined, { timeout: TIMEOUT })
  }, TIMEOUT)

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await emulator?.close()
    if (root) await rm(root, { recursive: true, force: true })
    await rm(screenshot, { force: true })
  })

  it('hosts all ten fixture files, each under its own media type path', () => {
    const names = (Object.values(lock.files).flatMap((file) => file.paths)).sort()
    expect(names).toEqual([
      'src/assets/brochure.pdf', 'src/assets/clip.mp4', 'src/assets/favicon.png', 'src/assets/gallery-dunes.png',
      'src/assets/gallery-dusk.png', 'src/assets/gallery-forest.png', 'src/assets/gallery-reef.png', 'src/assets/hero.png',
      'src/assets/logo.svg', 'src/assets/poster.png',
    ])
    expect(hosted('gallery-dunes.png')).toMatch(new RegExp(`^${emulator.url}/media/[^/]+\\.png$`))
    expect(hosted('logo.svg')).toMatch(new RegExp(`^${emulator.url}/shapes/[^/]+\\.svg$`))
    expect(hosted('clip.mp4')).toMatch(new RegExp(`^${emulator.url}/video/[^/]+/file$`))
    expect(hosted('brochure.pdf')).toMatch(new RegExp(`^${emulator.url}/ugd/[^/]+\\.pdf$`))
  })

  it('does not copy hosted media into dist/', async () => {
    const files = (await readdir(join(root, 'dist'), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
    expect(files.filter((name) => !/\.(?:html|js|css)$/.test(name))).toEqual([])
  })

  it('shows the four gallery pictures (added by JS), each loaded from the emulator', async () => {
    const gallery = await page.evaluate(probeImages('#gallery img')) as ImageProbe[]
    expect(gallery.map(({ src, alt, complete, naturalWidth, naturalHeight }) => ({ src, alt, complete, naturalWidth, naturalHeight }))).toEqual([
      { src: hosted('gallery-dunes.png'), alt: 'Dunes at noon', complete: true, naturalWidth: 320, naturalHeight: 240 }, // default import
      { src: hosted('gallery-reef.png'), alt: 'The reef', complete: true, naturalWidth: 320, naturalHeight: 240 }, // ?url import
      { src: hosted('gallery-forest.png'), alt: 'Forest trail', complete: true, naturalWidth: 320, naturalHeight: 240 }, // new URL(…, import.meta.url)
      { src: hosted('gallery-dusk.png'), alt: 'Dusk over the bay', complete: true, naturalWidth: 640, naturalHeight: 480 }, // dynamic import
    ])
    for (const image of gallery) expect(fetchedOk(image.src), image.src).toBe(true)
  }, TIMEOUT)

  it('loads the logo from the emulator', async () => {
    const [logo] = await page.evaluate(probeImages('img.logo')) as ImageProbe[]
    expect(logo?.src).toBe(hosted('logo.svg'))
    expect(logo!.naturalWidth).toBeGreaterThan(0)
    expect(fetchedOk(logo!.src)).toBe(true)
    expect(seen.find((response) => response.url === logo!.src)?.contentType).toBe('image/svg+xml')
  }, TIMEOUT)

  it('points the favicon at the emulator, and it loads there', async () => {
    const href = await page.evaluate(`document.querySelector('link[rel="icon"]').href`) as string
    expect(href).toBe(hosted('favicon.png'))
    // Headless Chromium may not fetch favicons by itself: load the same URL as an image in the page.
    const size = await page.evaluate(`new Promise((resolve, reject) => {
      const img = new Image()
      img.onload = () => resolve([img.naturalWidth, img.naturalHeight])
      img.onerror = () => reject(new Error('favicon failed to load'))
      img.src = ${JSON.stringify(href)}
    })`) as [number, number]
    expect(size).toEqual([32, 32])
    expect(fetchedOk(href)).toBe(true)
  }, TIMEOUT)

  it('paints the hero background from the emulator', async () => {
    const background = await page.evaluate(`getComputedStyle(document.querySelector('.hero')).backgroundImage`) as string
    expect(background).toBe(`url("${hosted('hero.png')}")`)
    await expect.poll(() => fetchedOk(hosted('hero.png')), { timeout: 10_000 }).toBe(true)
  }, TIMEOUT)

  it('plays the video from the emulator, with its poster from the emulator', async () => {
    const poster = await page.evaluate(`document.querySelector('#film').poster`) as string
    expect(poster).toBe(hosted('poster.png'))
    await page.waitForFunction(`document.querySelector('#film').readyState >= 2`, undefined, { timeout: 30_000 })
    const video = await page.evaluate(`(() => {
      const video = document.querySelector('#film')
      return { currentSrc: video.currentSrc, readyState: video.readyState, width: video.videoWidth, height: video.videoHeight, error: video.error && video.error.code }
    })()`) as { currentSrc: string; readyState: number; width: number; height: number; error: number | null }
    expect(video.currentSrc).toBe(hosted('clip.mp4'))
    expect(video.error).toBe(null)
    expect(video.readyState).toBeGreaterThanOrEqual(2)
    expect(video.width).toBeGreaterThan(0)
    expect(fetchedOk(hosted('clip.mp4'))).toBe(true)
    expect(seen.filter((response) => response.url === hosted('clip.mp4')).every((response) => response.contentType === 'video/mp4')).toBe(true)
    // The poster is shown until playback starts; Chromium may skip fetching it once a frame is ready,
    // so load the poster URL as an image to prove it is served.
    const size = await page.evaluate(`new Promise((resolve, reject) => {
      const img = new Image()
      img.onload = () => resolve([img.naturalWidth, img.naturalHeight])
      img.onerror = () => reject(new Error('poster failed to load'))
      img.src = ${JSON.stringify(poster)}
    })`) as [number, number]
    expect(size).toEqual([320, 180])
    expect(fetchedOk(poster)).toBe(true)
  }, TIMEOUT)

  it('links the brochure to the emulator, which serves the same PDF', async () => {
    const href = await page.evaluate(`document.querySelector('#brochure').href`) as string
    expect(href).toBe(hosted('brochure.pdf'))
    const response = await fetch(href)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(await readFile(join(VITE_APP, 'src/assets/brochure.pdf')))
  })

  it('asks the site server for HTML, JS and CSS only, and every media file from the emulator', () => {
    expect(site.paths.length).toBeGreaterThan(0)
    expect(site.paths.filter((path) => !/^\/(?:|assets\/[\w-]+\.(?:js|css))$/.test(path))).toEqual([])
    const fromSite = seen.filter((response) => response.url.startsWith(`${site.url}/`))
    expect(fromSite.filter((response) => !/^text\/(?:html|javascript|css)\b/.test(response.contentType))).toEqual([])
    const media = seen.filter((response) => /^(?:image|video|audio)\/|^application\/pdf/.test(response.contentType))
    expect(media.length).toBeGreaterThanOrEqual(8) // 4 gallery + logo + hero + favicon + poster (+ video)
    expect(media.filter((response) => !fromEmulator(response.url))).toEqual([])
    expect(media.filter((response) => response.status !== 200 && response.status !== 206)).toEqual([])
    expect(seen.filter((response) => response.status >= 400)).toEqual([])
  })

  it('renders: a non-empty PNG screenshot', async () => {
    await page.screenshot({ path: screenshot, fullPage: true })
    const bytes = await readFile(screenshot)
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000)
    expect(bytes.readUInt32BE(16)).toBe(1024) // IHDR width: the viewport's
  }, TIMEOUT)
})
