import type { ForwardTarget, MailDomain } from "../../model/Entity.ts"
import type { Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { change, changeEffect, listed, skipEffects } from "./Findings.ts"

/*
 * Mail delivered to programs, files or `:include:` lists runs with the mail server's rights, not
 * the user's (security rule 25, checklist item 41): refused by default. A forwarder with only
 * such targets is left out; one with ordinary addresses as well keeps those.
 */

const unsafeKinds: ReadonlySet<ForwardTarget["kind"]> = new Set(["pipe", "file", "include"])

const shown = (t: ForwardTarget): string => {
  const value = t.value.length > 80 ? `${t.value.slice(0, 80)}…` : t.value
  return t.kind === "pipe" ? `|${value}` : t.kind === "include" ? `:include:${value}` : t.kind === "discard" ? ":blackhole:" : value
}

/** A catch-all target written the way aliases files write programs and files. */
const unsafeCatchAll = (domain: MailDomain): boolean => {
  const target = domain.catchAll?.action === "forward" ? domain.catchAll.target?.trim() : undefined
  return target !== undefined && (target.startsWith("|") || target.startsWith("/") || target.startsWith(":include:"))
}

export const mailForwardTargetsCheck = Check.make({
  id: "mail-forward-targets",
  title: "Forwarders to programs or files",
  run: (ctx) => {
    const forwarders = ctx.active("Forwarder").filter((f) => f.targets.some((t) => unsafeKinds.has(t.kind)))
    const refused = forwarders.filter((f) => f.targets.every((t) => unsafeKinds.has(t.kind)))
    const trimmed = forwarders.filter((f) => !refused.includes(f))
    const catchAlls = ctx.active("MailDomain").filter(unsafeCatchAll)
    const findings: Array<Finding> = []
    if (refused.length > 0)
      findings.push({
        code: "forward-target-unsafe",
        severity: "critical",
        title: "Forwarders to programs or files",
        message: `these forward only to a program, a file or an :include: list: ${listed(refused.map((f) => `${f.address} → ${f.targets.map(shown).join(", ")}`))}`,
        resolution:
          "not imported: delivery to programs, files and :include: lists is refused by default; set such delivery up by hand after review",
        effects: skipEffects(refused.map((f) => f.id)),
      })
    if (trimmed.length > 0)
      findings.push({
        code: "forward-target-unsafe-removed",
        severity: "warning",
        title: "Forwarders to programs or files",
        message: `these forward to addresses and also to a program, a file or an :include: list: ${listed(trimmed.map((f) => f.address))}`,
        resolution: "imported without the program, file and :include: targets",
        effects: trimmed.map((f) =>
          changeEffect(f.id, [
            change(
              "targets",
              f.targets.map(shown).join(", "),
              f.targets
                .filter((t) => !unsafeKinds.has(t.kind))
                .map(shown)
                .join(", "),
            ),
          ]),
        ),
      })
    if (catchAlls.length > 0)
      findings.push({
        code: "catch-all-unsafe",
        severity: "warning",
        title: "Forwarders to programs or files",
        message: `the catch-all of ${listed(catchAlls.map((d) => d.name))} delivers to a program, a file or an :include: list`,
        resolution: "the mail domains are imported with a catch-all that bounces",
        effects: catchAlls.map((d) =>
          changeEffect(d.id, [change("catchAll", `forward to ${d.catchAll?.target ?? ""}`.slice(0, 100), "bounce")]),
        ),
      })
    return findings
  },
})
