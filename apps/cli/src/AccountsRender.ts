import { formatBytes, type InventoryAccount, type LimitKey } from "@ferry/core"
import { fieldLine, type Style, style, table, wrap } from "./Text.ts"

export interface AccountsRenderOptions {
  readonly color: boolean
  readonly width: number
}

const limitValue = (key: LimitKey, value: number | null): string => {
  if (value === null) return "unlimited"
  if (key.endsWith("Bytes") || key === "trafficBytesPerMonth") return formatBytes(value)
  if (key === "expiresAt") return new Date(value * 1000).toISOString().slice(0, 10)
  return value.toLocaleString("en-US")
}

const limitsText = (account: InventoryAccount): string => {
  const entries = Object.entries(account.limits) as ReadonlyArray<[LimitKey, number | null]>
  return entries.length === 0 ? "-" : entries.map(([key, value]) => `${key}=${limitValue(key, value)}`).join(", ")
}

const permissionsText = (account: InventoryAccount): string => {
  const entries = Object.entries(account.permissions)
  return entries.length === 0 ? "-" : entries.map(([key, on]) => `${key}=${on ? "on" : "off"}`).join(", ")
}

/** `ferry accounts list`: one row per account. */
export const renderAccountList = (accounts: ReadonlyArray<InventoryAccount>, o: AccountsRenderOptions): string => {
  const s = style(o.color)
  if (accounts.length === 0) return `${s.bold("Accounts")}\n  (none; add one with 'ferry accounts add')`
  return [
    s.bold(`Accounts (${accounts.length})`),
    ...table(
      ["LOGIN", "KIND", "OWNER", "IPS", "LIMITS"],
      accounts.map((a) => [a.login, a.kind, a.owner ?? "-", a.ipPool.length === 0 ? "-" : a.ipPool.join(","), limitsText(a)]),
      { width: o.width, s },
    ),
  ].join("\n")
}

const wrapped = (name: string, value: string, width: number, s: Style): Array<string> =>
  wrap(value, width - 12, 0).map((line, i) => (i === 0 ? fieldLine(name, line, width, s) : `${" ".repeat(12)}${line}`))

/** `ferry accounts show`: every field of one account. */
export const renderAccount = (account: InventoryAccount, o: AccountsRenderOptions): string => {
  const s = style(o.color)
  return [
    s.bold(account.login),
    fieldLine("Kind", account.kind, o.width, s),
    fieldLine("Owner", account.owner ?? "-", o.width, s),
    ...wrapped("IPs", account.ipPool.length === 0 ? "-" : account.ipPool.join(", "), o.width, s),
    ...wrapped("Limits", limitsText(account), o.width, s),
    ...wrapped("Permits", permissionsText(account), o.width, s),
  ].join("\n")
}
