/**
 * Browser-test helpers: Debian's Chromium through playwright-core, a tiny static server for a built
 * `dist/`, the fixture Vite app in a fresh temp dir, and page-side probes passed as strings (the
 * project's tsconfig has no DOM lib).
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const VITE_APP = fileURLToPath(new URL('../../fixtures/vite-app', import.meta.url))

/** Chromium as CI runs it: headless, no sandbox (root in a container), no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** A fresh copy of fixtures/vite-app (its sources and HTML; not its vite.config.ts, builds here pass `configFile: false`). */
export async function copyViteApp(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wix-media-vite-app-'))
  await cp(VITE_APP, root, {
    recursive: true,
    filter: (source) => !/[\\/](?:node_modules|dist)(?:[\\/]|$)|vite\.config\.ts$|wix-media\.lock\.json$/.test(source.slice(VITE_APP.length)),
  })
  return root
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.pdf': 'application/pdf',
}

export interface StaticSite {
  readonly url: string
  /** Every path asked for, in order. */
  readonly paths: string[]
  close(): Promise<void>
}

/** Serves `dir` on 127.0.0.1 (an ephemeral port); `/` is `index.html`; logs each request path. */
export async function serveStatic(dir: string): Promise<StaticSite> {
  const paths: string[] = []
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    paths.push(pathname)
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname))
    const file = join(dir, relative)
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end()
      return
    }
    readFile(file).then((body) => {
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length })
      res.end(body)
    }, () => {
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export interface ImageProbe {
  src: string
  alt: string
  complete: boolean
  naturalWidth: number
  naturalHeight: number
}

/** Page-side: every `<img>` matching `selector`, as plain data. Pass to `page.evaluate`. */
export const probeImages = (selector: string): string => `[...document.querySelectorAll(${JSON.stringify(selector)})].map((img) => ({
  src: img.src, alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
}))`

/** Page-side: true once `count` images matching `selector` have finished loading. */
export const imagesLoaded = (selector: string, count: number): string =>
  `(() => { const all = [...document.querySelectorAll(${JSON.stringify(selector)})]; return all.length === ${count} && all.every((img) => img.complete) })()`
