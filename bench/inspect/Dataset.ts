import type { CpanelAccountSpec } from "@ferry/testing"
import { type Dataset, ensureGenerated } from "../Dataset.ts"

const units: Record<string, number> = { "": 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }

/** "50MB", "1GB", "1.5GiB" → bytes. Units are binary (1 GB = 1024³), so a "1GB" set is ≥ 1 GiB. */
export const parseSize = (text: string): number => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*$/i.exec(text)
  if (!match) throw new Error(`not a size: ${JSON.stringify(text)} (expected e.g. 50MB, 1GB, 4GB)`)
  const unit = (match[2] ?? "").toUpperCase() + (match[2] ? "B" : "")
  return Math.round(Number(match[1]) * (units[unit] ?? 1))
}

/** 3 domains × (1 + 2 subdomains) = 9 sites; 15 mailboxes × 1,000 messages; 4 dumps. */
const domains = 3
const subdomainsPerDomain = 2
const sites = domains * (1 + subdomainsPerDomain)
const mailboxesPerDomain = 5
const messagesPerMailbox = 1000
const messages = domains * mailboxesPerDomain * messagesPerMailbox
const webFilesTotal = 16_000
const databases = 4

/**
 * An account shaped like a busy real one, ≥ 31,000 files whatever the size: `bytes` of payload
 * split 45 % mail, 45 % web, 12 % dumps (2 % over, as message and web file sizes vary around
 * their average).
 */
export const specFor = (bytes: number): CpanelAccountSpec => {
  const webFiles = Math.ceil(webFilesTotal / sites)
  return {
    user: "benchuser",
    domains,
    subdomainsPerDomain,
    parkedDomains: 1,
    mailboxesPerDomain,
    messagesPerMailbox,
    messageBytes: Math.ceil((bytes * 0.45) / messages),
    databases,
    dumpBytes: Math.ceil((bytes * 0.12) / databases),
    webFiles,
    webFileBytes: Math.ceil((bytes * 0.45) / (webFiles * sites)),
    seed: 1,
  }
}

/** The tar.gz for a size under `dataDir`, generated unless one made from the same spec is there. */
export const ensureDataset = (label: string, bytes: number, dataDir: string): Promise<Dataset> =>
  ensureGenerated(`cpanel-${label}`, specFor(bytes), dataDir)
