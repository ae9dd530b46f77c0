import { cpanelAdapter } from "@ferry/adapter-cpanel"
import { ispmanager4Adapter } from "@ferry/adapter-ispmanager4"
import { ispmanager5Adapter } from "@ferry/adapter-ispmanager5"
import { adapterConformance, cpanelFixtureSources, ispmanager4FixtureSources, isptarFixtureSources } from "@ferry/testing"
import { ispmanager6Adapter, ispmanagerBusiness6Adapter } from "../src/index.ts"

adapterConformance({
  adapter: ispmanager6Adapter,
  own: isptarFixtureSources("6"),
  foreign: [
    ...cpanelFixtureSources,
    ...ispmanager4FixtureSources,
    ...isptarFixtureSources("5", ["tgz", "volumes"]),
    ...isptarFixtureSources("business6", ["tgz", "storage-directory"]),
  ],
  otherAdapters: [cpanelAdapter, ispmanager4Adapter, ispmanager5Adapter, ispmanagerBusiness6Adapter],
})

adapterConformance({
  adapter: ispmanagerBusiness6Adapter,
  own: isptarFixtureSources("business6"),
  foreign: [
    ...cpanelFixtureSources,
    ...ispmanager4FixtureSources,
    ...isptarFixtureSources("5", ["tgz", "download-tar"]),
    ...isptarFixtureSources("6", ["tgz", "volumes"]),
  ],
  otherAdapters: [cpanelAdapter, ispmanager4Adapter, ispmanager5Adapter, ispmanager6Adapter],
})
