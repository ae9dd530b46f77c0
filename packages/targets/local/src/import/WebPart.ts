import { join } from "node:path"
import {
  type Capabilities,
  type ContentRef,
  type Entity,
  type Site,
  type StepContext,
  StepFailed,
  type StepResult,
  type TargetError,
} from "@ferry/core"
import { Effect, Result } from "effect"
import { accountOwnership } from "./AccountPart.ts"
import { makeFileSink } from "./FileSink.ts"
import { domainName, orFailStep, phpVersion, relativePath, resolveOwner } from "./Identifiers.ts"
import type { FinishLine, ImportEnv, ImporterPart } from "./ImportEnv.ts"
import { nginxTest, renderTestConfig, renderVhost, UnsafeConfigValue, type VhostTls } from "./NginxConfig.ts"
import { phpFpmBinary, phpFpmTest, renderFpmTestConfig, renderPool } from "./PhpFpmConfig.ts"
import { combineOutcomes, type PutOutcome } from "./Records.ts"
import { ensureDir, removeFile, toStepFailed, writeFileAtomic } from "./SafeFs.ts"
import { type SslRecord, sslRecordKind } from "./SslPart.ts"

/*
 * Sites: the docroot's files (content kind "web") go into `<home>/<docroot>`; the Site settings
 * step writes the nginx server block and the php-fpm pool and records the site (kind "site", key
 * = domain). `finish` runs the real `nginx -t` over every recorded vhost, and `php-fpm -t` over
 * each pool whose PHP version is installed here.
 */

export const siteRecordKind = "site"

export interface SiteRecord {
  readonly siteId: string
  readonly docroot: string
  readonly aliases: ReadonlyArray<string>
  readonly php: string | null
  readonly tls: boolean
  readonly vhost: string
  readonly pool: string | null
}

const inventoryFailed = (step: string, what: string) => (error: TargetError) =>
  new StepFailed({ step, code: "inventory", reason: `${what}: ${error.message}` })

/** "8.1.2" → "8.1", as the check phase reads versions; anything else is left for phpVersion to refuse. */
const majorMinor = (version: string): string => {
  const match = /^(\d+)\.(\d+)/.exec(version.trim())
  return match === null ? version : `${Number(match[1])}.${Number(match[2])}`
}

/**
 * PHP version of a site: none when the site has no PHP or the plan turned it off (`php` → none),
 * else the plan's `php.version`, the site's own version, or the server's default.
 */
export const resolvePhp = (site: Site, ctx: StepContext, capabilities: Capabilities): string | undefined => {
  const changes = ctx.decision.changes
  if (!site.php.enabled || changes.some((c) => c.field === "php" && c.to === "none")) return undefined
  const version = changes.findLast((c) => c.field === "php.version")?.to ?? site.php.version ?? capabilities.php.default
  return version === undefined ? undefined : majorMinor(version)
}

/** Server aliases that pass the domain check ("*.x" kept as a wildcard); others are dropped with a note. */
const checkAliases = (site: Site, domain: string): { aliases: Array<string>; dropped: Array<string> } => {
  const aliases: Array<string> = []
  const dropped: Array<string> = []
  for (const alias of site.serverAliases) {
    const wildcard = alias.startsWith("*.")
    const checked = domainName(wildcard ? alias.slice(2) : alias)
    if (Result.isFailure(checked)) dropped.push(alias)
    else {
      const name = wildcard ? `*.${checked.success}` : checked.success
      if (name !== domain && !aliases.includes(name)) aliases.push(name)
    }
  }
  return { aliases, dropped }
}

export const makeWebPart = (env: ImportEnv): ImporterPart => {
  const { layout, root } = env

  const webContent = Effect.fn("WebPart.content")(function* (ref: ContentRef, entity: Entity, ctx: StepContext) {
    if (entity._tag !== "Site")
      return yield* new StepFailed({ step: ref.id, code: "wrong-owner", reason: `web content belongs to a site, not to ${entity.id}` })
    const login = yield* orFailStep(ref.id, resolveOwner(entity, ctx))
    const docroot = yield* orFailStep(ref.id, relativePath(entity.docroot, "document root"))
    const ownership = yield* accountOwnership(env, login).pipe(Effect.mapError(inventoryFailed(ref.id, `owner ${login}`)))
    const home = layout.home(login)
    return yield* makeFileSink({
      step: ref.id,
      label: `web content of ${entity.id}`,
      root,
      destination: join(home, docroot),
      linkBoundary: home,
      ...ownership,
      log: ctx.log,
    })
  })

  const applySite = Effect.fn("WebPart.site")(function* (site: Site, ctx: StepContext) {
    const step = site.id
    const domainEntity = ctx.entity(site.domain)
    if (domainEntity?._tag !== "Domain")
      return yield* new StepFailed({
        step,
        code: "site-domain-missing",
        reason: `the domain ${site.domain} of the site is not in the backup`,
      })
    const domain = yield* orFailStep(step, domainName(domainEntity.name))
    const login = yield* orFailStep(step, resolveOwner(site, ctx))
    const docrootRel = yield* orFailStep(step, relativePath(site.docroot, "document root"))
    const php = resolvePhp(site, ctx, env.capabilities)
    if (php !== undefined) yield* orFailStep(step, phpVersion(php))
    const { aliases, dropped } = checkAliases(site, domain)
    const notes: Array<string> = []
    if (dropped.length > 0)
      notes.push(`server aliases left out (not valid domain names): ${dropped.map((a) => JSON.stringify(a)).join(", ")}`)
    const failed = inventoryFailed(step, `site ${domain}`)
    const fsFailed = toStepFailed(step, `site ${domain}`)
    const home = layout.home(login)
    const docroot = join(home, docrootRel)
    const ownership = yield* accountOwnership(env, login).pipe(Effect.mapError(failed))

    let tls: VhostTls | undefined
    if (site.ssl?.enabled === true && site.ssl.certificate !== undefined) {
      const cert = yield* env.records.get(sslRecordKind, site.ssl.certificate).pipe(Effect.mapError(failed))
      const data = cert?.data as SslRecord | undefined
      if (data?.key != null)
        tls = { fullchain: data.certificate, key: data.key, redirectHttps: site.ssl.redirectHttps === true, hsts: site.ssl.hsts === true }
      else notes.push(`HTTPS is not configured: the certificate ${site.ssl.certificate} was not imported with its key`)
    }

    const socket = php === undefined ? undefined : layout.phpSocket(php, domain)
    const pool = php === undefined ? null : layout.phpPool(php, domain)
    const vhostPath = layout.nginxSite(domain)
    const rendered = yield* Effect.try({
      try: () => ({
        vhost: renderVhost({ siteId: site.id, domain, aliases, docroot, phpSocket: socket, tls }),
        pool:
          php === undefined || socket === undefined
            ? undefined
            : renderPool({ siteId: site.id, name: domain, user: login, group: login, socket, home }),
      }),
      catch: (e) =>
        new StepFailed({
          step,
          code: "unsafe-config",
          reason: e instanceof UnsafeConfigValue ? e.message : `site ${domain}: ${String(e)}`,
        }),
    })

    // A site moved to another PHP version leaves no pool behind for the old one.
    const previous = (yield* env.records.get(siteRecordKind, domain).pipe(Effect.mapError(failed)))?.data as SiteRecord | undefined
    if (previous?.pool != null && previous.pool !== pool) yield* removeFile(root, previous.pool).pipe(Effect.mapError(fsFailed))

    const made = yield* ensureDir(root, docroot, { mode: 0o755, ...ownership }).pipe(Effect.mapError(fsFailed))
    const outcomes: Array<PutOutcome> = [made.length > 0 ? "created" : "unchanged"]
    outcomes.push(yield* writeFileAtomic(root, vhostPath, rendered.vhost, { mode: 0o644 }).pipe(Effect.mapError(fsFailed)))
    if (pool !== null && rendered.pool !== undefined)
      outcomes.push(yield* writeFileAtomic(root, pool, rendered.pool, { mode: 0o644 }).pipe(Effect.mapError(fsFailed)))
    const record: SiteRecord = { siteId: site.id, docroot, aliases, php: php ?? null, tls: tls !== undefined, vhost: vhostPath, pool }
    outcomes.push(yield* env.records.put(siteRecordKind, domain, login, record).pipe(Effect.mapError(failed)))
    // A site that was imported before is "updated", even when a new file (another PHP pool) appeared.
    const outcome = combineOutcomes(outcomes)
    const result: StepResult = {
      outcome: previous !== undefined && outcome === "created" ? "updated" : outcome,
      ...(notes.length > 0 ? { notes } : {}),
    }
    return result
  })

  const checkNginx = (sites: ReadonlyArray<{ domain: string; vhost: string }>) =>
    Effect.gen(function* () {
      const dir = join(layout.staging, "nginx-test")
      const prepare = (name: string, vhosts: ReadonlyArray<string>) =>
        writeFileAtomic(root, join(dir, name), renderTestConfig(dir, vhosts), { mode: 0o600 }).pipe(Effect.as(join(dir, name)))
      yield* ensureDir(root, dir, { mode: 0o700 })
      const all = yield* prepare(
        "nginx.conf",
        sites.map((s) => s.vhost),
      )
      const whole = yield* nginxTest(dir, all)
      if (whole.ok)
        return [{ level: "info", message: `nginx -t: ${sites.length} site${sites.length === 1 ? "" : "s"} OK` }] as Array<FinishLine>
      // nginx stops at the first error: test each vhost alone to name every failing one.
      const lines: Array<FinishLine> = []
      for (const site of sites.slice(0, 200)) {
        const run = yield* nginxTest(dir, yield* prepare("one.conf", [site.vhost]))
        if (!run.ok) lines.push({ level: "error", message: `nginx -t failed for ${site.domain} (${site.vhost}): ${run.lines.join(" / ")}` })
      }
      if (lines.length === 0) lines.push({ level: "error", message: `nginx -t failed for the sites together: ${whole.lines.join(" / ")}` })
      return lines
    }).pipe(Effect.catch((e) => Effect.succeed([{ level: "error", message: `nginx -t could not run: ${e.message}` }] as Array<FinishLine>)))

  const checkPools = (pools: ReadonlyArray<{ domain: string; php: string; pool: string }>) =>
    Effect.gen(function* () {
      const lines: Array<FinishLine> = []
      const dir = join(layout.staging, "php-fpm-test")
      const missing = new Map<string, number>()
      for (const p of pools) {
        const binary = phpFpmBinary(p.php)
        if (binary === undefined) {
          missing.set(p.php, (missing.get(p.php) ?? 0) + 1)
          continue
        }
        yield* ensureDir(root, dir, { mode: 0o700 })
        const conf = join(dir, "php-fpm.conf")
        yield* writeFileAtomic(root, conf, renderFpmTestConfig(dir, p.pool), { mode: 0o600 })
        const run = yield* phpFpmTest(binary, conf)
        lines.push(
          run.ok
            ? { level: "info", message: `php-fpm ${p.php} -t: pool ${p.domain} OK` }
            : { level: "error", message: `php-fpm ${p.php} -t failed for ${p.domain} (${p.pool}): ${run.lines.join(" / ")}` },
        )
      }
      for (const [version, count] of missing)
        lines.push({
          level: "info",
          message: `php-fpm ${version} is not installed here: ${count} pool${count === 1 ? "" : "s"} not validated`,
        })
      return lines
    }).pipe(
      Effect.catch((e) => Effect.succeed([{ level: "error", message: `php-fpm -t could not run: ${e.message}` }] as Array<FinishLine>)),
    )

  const finish = () =>
    Effect.gen(function* () {
      const records = yield* env.records.list(siteRecordKind)
      if (records.length === 0) return []
      const sites = records.map((r) => ({ domain: r.key, ...(r.data as SiteRecord) }))
      const pools = sites.flatMap((s) => (s.php !== null && s.pool !== null ? [{ domain: s.domain, php: s.php, pool: s.pool }] : []))
      return [...(yield* checkNginx(sites)), ...(yield* checkPools(pools))]
    }).pipe(
      Effect.catch((e) =>
        Effect.succeed([{ level: "error", message: `site configuration not checked: ${e.message}` }] as Array<FinishLine>),
      ),
    )

  return { apply: { Site: applySite }, content: { web: webContent }, finish }
}
