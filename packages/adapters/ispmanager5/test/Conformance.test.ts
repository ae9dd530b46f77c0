import { cpanelAdapter } from "@ferry/adapter-cpanel"
import { makeIsptarAdapter } from "@ferry/adapter-ispmanager"
import { ispmanager4Adapter } from "@ferry/adapter-ispmanager4"
import { adapterConformance, cpanelFixtureSources, ispmanager4FixtureSources, isptarFixtureSources } from "@ferry/testing"
import { ispmanager5Adapter } from "../src/index.ts"

adapterConformance({
  adapter: ispmanager5Adapter,
  own: isptarFixtureSources("5"),
  foreign: [
    ...cpanelFixtureSources,
    ...ispmanager4FixtureSources,
    ...isptarFixtureSources("6", ["tgz", "storage-directory"]),
    ...isptarFixtureSources("business6", ["tgz", "volumes"]),
  ],
  // ispmanager6 depends on this package, so its adapters are built the way it builds them.
  otherAdapters: [
    cpanelAdapter,
    ispmanager4Adapter,
    makeIsptarAdapter("ispmanager6", "6"),
    makeIsptarAdapter("ispmanager-business6", "business6"),
  ],
})
