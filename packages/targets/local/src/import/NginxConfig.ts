import { execFile } from "node:child_process"
import { join } from "node:path"
import { Effect } from "effect"

/*
 * nginx server blocks for imported sites, and `nginx -t` over them. Every value placed in a
 * directive passed an identifier check (domains, paths from checked components) and is checked
 * once more here: no whitespace, quotes, `;`, braces, `$`, `#`, backslash or control characters,
 * so nothing from a backup can close a directive or open a block (rule 13). Vhost snippets from
 * backups are never applied (rule 27); `.htaccess` files stay tenant content that nginx ignores.
 */

export class UnsafeConfigValue extends Error {
  override readonly name = "UnsafeConfigValue"
}

/** A value safe inside an nginx directive (bare or double-quoted). */
export const nginxValue = (value: string, what: string): string => {
  if (value === "" || /[\s"'`;{}$#\\\0-\x1f\x7f]/.test(value))
    throw new UnsafeConfigValue(`${what} ${JSON.stringify(value)} cannot be written into an nginx configuration`)
  return value
}

export interface VhostTls {
  /** Certificate followed by its chain (leaf → root). */
  readonly fullchain: string
  readonly key: string
  readonly redirectHttps: boolean
  readonly hsts: boolean
}

export interface VhostSpec {
  /** The site's entity id, for the header comment. */
  readonly siteId: string
  readonly domain: string
  readonly aliases: ReadonlyArray<string>
  readonly docroot: string
  /** Unix socket of the site's php-fpm pool; absent = static site. */
  readonly phpSocket?: string | undefined
  readonly tls?: VhostTls | undefined
}

/* The usual fastcgi_params, inlined so the vhost does not depend on files outside Ferry's tree. */
const fastcgiParams = [
  "QUERY_STRING $query_string",
  "REQUEST_METHOD $request_method",
  "CONTENT_TYPE $content_type",
  "CONTENT_LENGTH $content_length",
  "SCRIPT_NAME $fastcgi_script_name",
  "SCRIPT_FILENAME $document_root$fastcgi_script_name",
  "REQUEST_URI $request_uri",
  "DOCUMENT_URI $document_uri",
  "DOCUMENT_ROOT $document_root",
  "SERVER_PROTOCOL $server_protocol",
  "REQUEST_SCHEME $scheme",
  "HTTPS $https if_not_empty",
  "GATEWAY_INTERFACE CGI/1.1",
  "SERVER_SOFTWARE nginx/$nginx_version",
  "REMOTE_ADDR $remote_addr",
  "REMOTE_PORT $remote_port",
  "SERVER_ADDR $server_addr",
  "SERVER_PORT $server_port",
  "SERVER_NAME $server_name",
  "REDIRECT_STATUS 200",
]

const body = (spec: VhostSpec, indent: string): Array<string> => {
  const lines = [`root "${nginxValue(spec.docroot, "document root")}";`]
  if (spec.phpSocket !== undefined) {
    lines.push(
      "index index.php index.html index.htm;",
      "location / {",
      "    try_files $uri $uri/ /index.php$is_args$args;",
      "}",
      "location ~ [^/]\\.php(/|$) {",
      "    try_files $fastcgi_script_name =404;",
      "    fastcgi_split_path_info ^(.+?\\.php)(/.*)$;",
      `    fastcgi_pass "unix:${nginxValue(spec.phpSocket, "PHP socket")}";`,
      "    fastcgi_index index.php;",
      ...fastcgiParams.map((p) => `    fastcgi_param ${p};`),
      "}",
    )
  } else {
    lines.push("index index.html index.htm;", "location / {", "    try_files $uri $uri/ =404;", "}")
  }
  // Apache-only files stay on disk (tenant content) but are never served.
  lines.push("location ~ /\\.ht {", "    deny all;", "}")
  return lines.map((l) => `${indent}${l}`)
}

/** One `server` block per scheme; HTTP redirects to HTTPS when the site asked for it. */
export const renderVhost = (spec: VhostSpec): string => {
  const names = [spec.domain, ...spec.aliases].map((n) => nginxValue(n, "server name")).join(" ")
  const i = "    "
  const out = [
    `# Written by Ferry for ${nginxValue(spec.domain, "domain")} (${spec.siteId.replace(/[^\x20-\x7e]/g, "?")}); a new import rewrites this file.`,
  ]
  const tls = spec.tls
  out.push("server {", `${i}listen 80;`, `${i}listen [::]:80;`, `${i}server_name ${names};`)
  if (tls?.redirectHttps === true) out.push(`${i}return 301 https://$host$request_uri;`)
  else out.push(...body(spec, i))
  out.push("}")
  if (tls !== undefined) {
    out.push(
      "server {",
      `${i}listen 443 ssl;`,
      `${i}listen [::]:443 ssl;`,
      `${i}server_name ${names};`,
      `${i}ssl_certificate "${nginxValue(tls.fullchain, "certificate path")}";`,
      `${i}ssl_certificate_key "${nginxValue(tls.key, "key path")}";`,
      ...(tls.hsts ? [`${i}add_header Strict-Transport-Security "max-age=31536000" always;`] : []),
      ...body(spec, i),
      "}",
    )
  }
  return `${out.join("\n")}\n`
}

/**
 * A throw-away main configuration under `dir` that includes `vhosts`: pid, error log and temp
 * paths are all inside `dir`, so `nginx -t` works without root and never touches /etc/nginx.
 */
export const renderTestConfig = (dir: string, vhosts: ReadonlyArray<string>): string => {
  const d = nginxValue(dir, "staging directory")
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path "${d}/${t}";`)
  return [
    `pid "${d}/nginx.pid";`,
    `error_log "${d}/error.log";`,
    "worker_processes 1;",
    "events {",
    "    worker_connections 64;",
    "}",
    "http {",
    `    access_log off;`,
    ...temp,
    ...vhosts.map((v) => `    include "${nginxValue(v, "vhost path")}";`),
    "}",
    "",
  ].join("\n")
}

export const nginxBinary = "/usr/sbin/nginx"

export interface ToolRun {
  /** True when the program exited 0. */
  readonly ok: boolean
  /** Non-empty lines of stdout then stderr (or the reason it could not run). */
  readonly lines: ReadonlyArray<string>
}

/**
 * Run a validator (nginx, named-checkzone, php-fpm) by absolute path with an argv array, a clean
 * environment, a timeout and an output cap (rule 11). Never fails: a program that cannot run
 * gives `ok: false` and the reason.
 */
export const runTool = (binary: string, args: ReadonlyArray<string>, timeoutMs = 60_000): Effect.Effect<ToolRun> =>
  Effect.callback<ToolRun>((resume) => {
    const child = execFile(
      binary,
      args,
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1024 * 1024, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" } },
      (error, stdout, stderr) => {
        const lines = `${stdout}\n${stderr}`
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== "")
        resume(Effect.succeed({ ok: error === null, lines: error !== null && lines.length === 0 ? [error.message] : lines }))
      },
    )
    child.stdin?.end()
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

/** Run `nginx -t` on the configuration `conf` (prefix and error log under `dir`). Never fails. */
export const nginxTest = (dir: string, conf: string, binary = nginxBinary): Effect.Effect<ToolRun> =>
  runTool(binary, ["-t", "-q", "-p", `${dir}/`, "-e", join(dir, "error.log"), "-c", conf])
