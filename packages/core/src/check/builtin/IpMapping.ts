import type { Account, Domain } from "../../model/Entity.ts"
import type { CheckContext, Finding } from "../Check.ts"
import * as Check from "../Check.ts"
import { entityLabel } from "../Dependencies.ts"
import { blockingFinding, change, changeEffect, groupBy, listed } from "./Findings.ts"
import { receiverOf } from "./Receiving.ts"

/*
 * IP mapping, as the Plesk migration operator's: source addresses (domains' addresses and
 * accounts' IP pools) listed in `options.ipMap` move to the mapped address; unmapped ones the
 * target does not have move to the receiving account's address on the target, or the server's
 * first (shared) address.
 */

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

const fallbackFor = (ctx: CheckContext, entity: Account | Domain): string => {
  const own = receiverOf(ctx, entity).existing?.ipPool.find((ip) => ctx.capabilities.ips.some((t) => same(t, ip)))
  return own ?? ctx.capabilities.ips[0] ?? "the server's default address"
}

export const ipMappingCheck = Check.make({
  id: "ip-mapping",
  title: "IP address mapping",
  run: (ctx) => {
    const onServer = (ip: string) => ctx.capabilities.ips.some((t) => same(t, ip))
    const findings: Array<Finding> = Object.entries(ctx.options.ipMap)
      .filter(([, to]) => !onServer(to))
      .map(([from, to]) =>
        blockingFinding({
          code: "ip-map-unknown-address",
          title: "IP address mapping",
          message: `the mapping ${from}=${to} names an address the receiving server does not have (it has ${listed(ctx.capabilities.ips) || "none"})`,
          resolution: "correct the IP mapping; the import cannot start",
        }),
      )

    const moves: Array<{ entity: Account | Domain; from: string; to: string; mapped: boolean }> = []
    const users: ReadonlyArray<Account | Domain> = [...ctx.active("Account"), ...ctx.active("Domain")]
    for (const entity of users) {
      const ips = entity._tag === "Account" ? entity.ipPool : entity.ips
      for (const ip of ips) {
        const key = Object.keys(ctx.options.ipMap).find((k) => same(k, ip))
        const to = key === undefined ? undefined : (ctx.options.ipMap[key] as string)
        if (to !== undefined) {
          if (onServer(to) && !same(to, ip)) moves.push({ entity, from: ip, to, mapped: true })
        } else if (!onServer(ip)) moves.push({ entity, from: ip, to: fallbackFor(ctx, entity), mapped: false })
      }
    }
    for (const [, group] of groupBy(moves, (m) => `${m.mapped}\u0000${m.from}\u0000${m.to}`)) {
      const { from, to, mapped } = group[0] as (typeof moves)[number]
      const changes = groupBy(group, (m) => m.entity.id)
      findings.push({
        code: mapped ? "ip-mapped" : "ip-not-found",
        severity: "warning",
        title: mapped ? "IP address mapping" : "IP address not found",
        message: `${mapped ? `${from} is mapped to ${to}` : `the receiving server has no address ${from}`}: ${listed(group.map((m) => entityLabel(m.entity)))}`,
        resolution: mapped ? `imported on ${to} as mapped` : `imported on ${to} instead (map ${from} to choose another address)`,
        effects: [...changes].map(([id, ms]) =>
          changeEffect(
            id,
            ms.map((m) => change("ip", m.from, m.to)),
          ),
        ),
      })
    }
    return findings
  },
})
