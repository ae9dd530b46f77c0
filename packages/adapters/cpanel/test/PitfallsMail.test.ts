import { gzipSync } from "node:zlib"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { content, entity, fixtureTree, ids, illini, inspectTree, minimalAccount, notes, uniprev } from "./Support.ts"

const passwd = (...boxes: Array<string>) => boxes.map((b) => `${b}:x:1000:1000::/home/exuser/mail/example.com/${b}:/home/exuser\n`).join("")

describe("cPanel pitfalls 9–13 (§8): parsers, mail hashes, compressed mail, mdbox, forwarders", () => {
  it("pitfall 9: real YAML/JSON parsers; cache.json is optional and cannot pollute prototypes", async () => {
    const tree = minimalAccount({
      "userdata/main":
        "--- \naddon_domains: {}\n\ncp_php_magic_include_path.conf: 1\nmain_domain: example.com\nparked_domains: []\n\nsub_domains: \n  - user.example.com\n",
      "userdata/user.example.com": "--- \ndocumentroot: /home/exuser/public_html/user\nuser: exuser\n",
      "userdata/cache.json":
        '{"__proto__":{"polluted":"yes"},"example.com":["exuser","root","main","example.com","/home/exuser/public_html","","","","0",""],"user.example.com":["exuser","root","sub","example.com","/home/exuser/public_html/user","","","","0",""]}',
    })
    const { snapshot } = await inspectTree(tree)
    expect(ids(snapshot, "Site")).toEqual(["site:example.com", "site:user.example.com"])
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    expect(notes(snapshot, "domain-list-mismatch")).toEqual([])

    const withoutCache = await inspectTree(minimalAccount())
    expect(ids(withoutCache.snapshot, "Site")).toEqual(["site:example.com"])
  })

  it("pitfall 10: mailbox hashes keep their crypt scheme (never dropped, never plaintext)", async () => {
    const real = await inspectTree(await fixtureTree(illini), "cpmove-illiniwi")
    expect(entity(real.snapshot, "Mailbox", "mailbox:contactus@illiniwildcards.tk").passwordHash?.scheme).toBe("sha512-crypt")
    const tree = minimalAccount({
      "homedir/etc/example.com/passwd": passwd("md5", "sha", "odd"),
      "homedir/etc/example.com/shadow":
        "md5:$1$saltsalt$abcdefghijklmnopqrstuv:19000::::::\nsha:$6$REDACTEDSALT$REDACTEDHASH:19000::::::\nodd:{PLAIN}secret:19000::::::\n",
      "homedir/etc/example.com/quota": "md5:1048576\n",
    })
    const { snapshot } = await inspectTree(tree)
    const md5 = entity(snapshot, "Mailbox", "mailbox:md5@example.com")
    expect(md5.passwordHash?.scheme).toBe("md5-crypt")
    expect(Redacted.value(md5.passwordHash!.value)).toBe("$1$saltsalt$abcdefghijklmnopqrstuv")
    expect(entity(snapshot, "Mailbox", "mailbox:sha@example.com").passwordHash?.scheme).toBe("sha512-crypt")
    expect(entity(snapshot, "Mailbox", "mailbox:odd@example.com").passwordHash?.scheme).toBe("unknown")
    expect(JSON.stringify(snapshot)).not.toContain("secret")
  })

  it("pitfall 11: gzip-compressed Maildir messages are measured as stored and reported", async () => {
    const message = `Subject: big\n\n${"x".repeat(20_000)}\n`
    const gz = gzipSync(Buffer.from(message))
    const tree = minimalAccount({
      "homedir/etc/example.com/passwd": passwd("info"),
      "homedir/etc/example.com/shadow": "info:$6$s$h:19000::::::\n",
      [`homedir/mail/example.com/info/cur/1700000000.M1P1.host,S=${message.length},W=${message.length + 300}:2,S`]: gz,
      "homedir/mail/example.com/info/new/1700000001.M2P2.host,S=5:2,": "hello",
      "homedir/mail/example.com/info/dovecot.index": "idx",
      "homedir/mail/example.com/info/dovecot-uidlist": "3 V1 N2\n",
    })
    const { snapshot } = await inspectTree(tree)
    const ref = content(snapshot, "content:mail:info@example.com")
    expect(ref.bytes).toBe(gz.length + 5 + 3 + 8)
    expect(ref.files).toBe(4)
    const note = notes(snapshot, "mailbox-compressed")
    expect(note).toHaveLength(1)
    expect(note[0]?.message).toContain(`1 messages`)
    expect(notes(snapshot, "mail-index-files")[0]?.message).toContain("2 Dovecot")
  })

  it("pitfall 12: mdbox is flagged for conversion; an empty quota file means unlimited, quotas are bytes", async () => {
    const real = await inspectTree(await fixtureTree(uniprev), "cpmove-uniprev")
    expect(entity(real.snapshot, "Mailbox", "mailbox:arkus@uniprev.com.br").quotaBytes).toBeNull()
    const tree = minimalAccount(
      {
        "homedir/etc/example.com/passwd": passwd("info", "sales"),
        "homedir/etc/example.com/shadow": "info:$6$s$h:19000::::::\nsales:$6$s$h:19000::::::\n",
        "homedir/etc/example.com/quota": "info:1048576\n",
        "homedir/mail/mailbox_format.cpanel": "mdbox\n",
        "homedir/mail/example.com/info/storage/m.1": "mdbox data",
        "homedir/mail/example.com/info/mailboxes/INBOX/dbox-Mails/dovecot.index": "i",
      },
      { MAILBOX_FORMAT: "mdbox" },
    )
    const { snapshot } = await inspectTree(tree)
    const info = entity(snapshot, "Mailbox", "mailbox:info@example.com")
    expect(info.storage).toBe("mdbox")
    expect(info.quotaBytes).toBe(1_048_576)
    expect(entity(snapshot, "Mailbox", "mailbox:sales@example.com").quotaBytes).toBeNull()
    expect(
      notes(snapshot, "mailbox-mdbox")
        .map((n) => n.subject)
        .sort(),
    ).toEqual(["mailbox:info@example.com", "mailbox:sales@example.com"])
  })

  it("pitfall 13: forwarders, catch-all, autoresponders, filters and lists are imported safely", async () => {
    const tree = minimalAccount({
      "va/example.com": [
        'info@example.com: a@x.test,"b@y.test", exuser',
        'auto@example.com: "|/usr/local/cpanel/bin/autorespond auto@example.com /home/exuser/.autorespond"',
        'both@example.com: keep@x.test, "|/usr/local/cpanel/bin/autorespond both@example.com /home/exuser/.autorespond"',
        'script@example.com: "|/home/exuser/bin/handler.sh"',
        "file@example.com: /home/exuser/mail.log",
        "inc@example.com: :include:/home/exuser/list.txt",
        'news@example.com: "|/usr/local/cpanel/3rdparty/mailman/mail/mailman post news_example.com"',
        'news-admin@example.com: "|/usr/local/cpanel/3rdparty/mailman/mail/mailman admin news_example.com"',
        "*: exuser",
        "",
      ].join("\n"),
      "vad/example.com": "alias.example.com: example.com\n",
      "vf/example.com":
        '# Exim filter - auto-generated by cPanel.\n\nif $header_subject: contains "spam" then save "/dev/null" 660 endif\n',
      "mm/news_example.com/config.pck": "binary",
      "homedir/.autorespond/auto@example.com": 'From: "Auto" <auto@example.com>\nSubject: Away\nCharset: utf-8\n\nI am away.\nBack soon.\n',
      "homedir/.autorespond/auto@example.com.json": '{"interval":24,"start":1700000000,"stop":0}',
      "homedir/.autorespond/both@example.com": "Subject: Hi\nContent-Type: text/html; charset=iso-8859-1\n\n<p>hi</p>\n",
      "homedir/etc/example.com/passwd": passwd("info"),
      "homedir/etc/example.com/shadow": "info:$6$s$h:19000::::::\n",
      "homedir/etc/example.com/info/filter.yaml":
        "---\nfilter:\n  -\n    actions:\n      -\n        action: save\n        dest: /dev/null\n    enabled: 1\n    filtername: Spam\n    rules:\n      -\n        match: contains\n        opt: or\n        part: \"$header_subject:\"\n        val: viagra\nversion: '2.2'\n",
    })
    const { snapshot } = await inspectTree(tree)
    expect(entity(snapshot, "Forwarder", "forwarder:info@example.com").targets).toEqual([
      { kind: "address", value: "a@x.test" },
      { kind: "address", value: "b@y.test" },
      { kind: "local-user", value: "exuser" },
    ])
    expect(entity(snapshot, "Forwarder", "forwarder:both@example.com").targets).toEqual([{ kind: "address", value: "keep@x.test" }])
    expect(ids(snapshot, "Forwarder")).not.toContain("forwarder:auto@example.com")
    expect(ids(snapshot, "Forwarder")).not.toContain("forwarder:news@example.com")
    expect(entity(snapshot, "Forwarder", "forwarder:script@example.com").targets).toEqual([
      { kind: "pipe", value: "/home/exuser/bin/handler.sh" },
    ])
    expect(entity(snapshot, "Forwarder", "forwarder:file@example.com").targets).toEqual([{ kind: "file", value: "/home/exuser/mail.log" }])
    expect(entity(snapshot, "Forwarder", "forwarder:inc@example.com").targets).toEqual([
      { kind: "include", value: "/home/exuser/list.txt" },
    ])
    expect(notes(snapshot, "forward-unsafe-target")).toHaveLength(3)
    expect(entity(snapshot, "Forwarder", "forwarder:@alias.example.com")).toMatchObject({
      scope: "domain",
      targets: [{ kind: "address", value: "example.com" }],
    })
    expect(entity(snapshot, "MailDomain", "maildomain:example.com").catchAll).toEqual({ action: "forward", target: "exuser" })

    expect(entity(snapshot, "Autoresponder", "autoresponder:auto@example.com")).toMatchObject({
      from: '"Auto" <auto@example.com>',
      subject: "Away",
      charset: "utf-8",
      html: false,
      body: "I am away.\nBack soon.\n",
      intervalHours: 24,
      startsAt: 1700000000,
    })
    expect(entity(snapshot, "Autoresponder", "autoresponder:both@example.com")).toMatchObject({
      html: true,
      charset: "iso-8859-1",
      subject: "Hi",
    })

    const list = entity(snapshot, "MailingList", "mailinglist:news@example.com")
    expect(list).toMatchObject({ manager: "mailman", content: "content:list:news@example.com" })
    expect(content(snapshot, "content:list:news@example.com").files).toBe(1)

    const boxFilter = entity(snapshot, "MailFilter", "mailfilter:info@example.com:Spam")
    expect(boxFilter).toMatchObject({ scope: "info@example.com", format: "cpanel-yaml" })
    expect(boxFilter.definition).toContain("viagra")
    expect(entity(snapshot, "MailFilter", "mailfilter:example.com:exim-filter")).toMatchObject({
      scope: "example.com",
      format: "exim-filter",
    })
    expect(notes(snapshot, "unrecognised-file")).toEqual([])
  })
})
