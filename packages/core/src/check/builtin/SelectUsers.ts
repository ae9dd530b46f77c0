import type { Account } from "../../model/Entity.ts"
import type { Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { blockingFinding, listed, skipEffects } from "./Findings.ts"

/**
 * ispmanager's "Select users": only the chosen accounts are imported. An account that is not
 * chosen takes everything it owns with it, except accounts below it that were chosen (a client
 * picked out of a reseller's backup): those stay, and new-owner places them.
 */
export const selectUsersCheck = Check.make({
  id: "select-users",
  title: "Select users",
  run: (ctx) => {
    const selected = ctx.options.users
    if (selected === undefined) return []
    const chosen = new Set(selected)
    const accounts = ctx.active("Account")
    const findings: Array<Finding> = []

    const missing = selected.filter((login) => !ctx.snapshot.entities.some((e) => e._tag === "Account" && e.login === login))
    if (missing.length > 0)
      findings.push(
        blockingFinding({
          code: "selected-user-missing",
          title: "Selected user not found in the backup",
          message: `the backup has no account ${listed(missing)}; it has ${listed(accounts.map((a) => a.login)) || "no accounts"}`,
          resolution: "correct the list of users to import; the import cannot start with an unknown user",
        }),
      )

    const below = (account: Account): boolean =>
      accounts.some((other) => {
        let owner = other.owner
        for (let depth = 0; owner !== null && depth < 8; depth++) {
          if (owner === account.id) return chosen.has(other.login)
          const next = ctx.entity(owner)
          owner = next?._tag === "Account" ? next.owner : null
        }
        return false
      })

    const notChosen = accounts.filter((a) => !chosen.has(a.login))
    if (notChosen.length === 0) return findings
    const keepingChildren = notChosen.filter(below)
    const direct = keepingChildren.flatMap((account) =>
      ctx.snapshot.entities.filter((e) => e._tag !== "Account" && e.owner === account.id).map((e) => e.id),
    )
    findings.push({
      code: "not-selected",
      severity: "critical",
      title: "Not selected",
      message: `${listed(notChosen.map((a) => a.login))} ${notChosen.length === 1 ? "is" : "are"} not among the selected users (${selected.length > 0 ? listed(selected) : "none selected"})`,
      resolution: "not imported, with everything these accounts own",
      effects: [
        ...skipEffects(
          notChosen.filter((a) => !keepingChildren.includes(a)).map((a) => a.id),
          false,
        ),
        ...skipEffects(
          keepingChildren.map((a) => a.id),
          true,
        ),
        ...skipEffects(direct),
      ],
    })
    return findings
  },
})
