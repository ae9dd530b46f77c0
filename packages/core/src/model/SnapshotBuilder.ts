import type { SkippedEntry } from "../archive/ArchiveEntry.ts"
import { DirectorySizes } from "./DirectorySizes.ts"
import type { Entity, EntityOf, EntityTag } from "./Entity.ts"
import type { ContentRef, NestedArchive, ParseNote, Snapshot, SnapshotSource } from "./Snapshot.ts"

type ContentDraft = Omit<ContentRef, "bytes" | "files" | "excludes"> & { readonly excludes?: ReadonlyArray<string> }

/**
 * The mutable collector an adapter fills while it streams through an archive. Entities are keyed
 * by id (a second entity with the same id is a bug in the adapter, reported as a note); content
 * sizes are measured from every file the adapter reports, so refs may be declared before or after
 * their files stream past.
 */
export class SnapshotBuilder {
  private readonly entities = new Map<string, Entity>()
  private readonly content = new Map<string, ContentDraft>()
  private readonly notes: Array<ParseNote> = []
  private readonly nested: Array<NestedArchive> = []
  readonly sizes = new DirectorySizes()

  add<E extends Entity>(entity: E): E {
    if (this.entities.has(entity.id)) {
      this.note({
        severity: "warning",
        code: "duplicate-entity",
        subject: entity.id,
        path: entity.source.path,
        message: `${entity._tag} ${entity.id} appears more than once; the first one is kept`,
      })
      return this.entities.get(entity.id) as E
    }
    this.entities.set(entity.id, entity)
    return entity
  }

  /** Replace an entity already added (e.g. to attach a docroot found later). */
  update<E extends Entity>(entity: E): E {
    this.entities.set(entity.id, entity)
    return entity
  }

  get<T extends EntityTag>(tag: T, id: string): EntityOf<T> | undefined {
    const entity = this.entities.get(id)
    return entity?._tag === tag ? (entity as EntityOf<T>) : undefined
  }

  has(id: string): boolean {
    return this.entities.has(id)
  }

  all<T extends EntityTag>(tag: T): Array<EntityOf<T>> {
    const out: Array<EntityOf<T>> = []
    for (const entity of this.entities.values()) if (entity._tag === tag) out.push(entity as EntityOf<T>)
    return out
  }

  remove(id: string): void {
    this.entities.delete(id)
  }

  declareContent(ref: ContentDraft): string {
    if (!this.content.has(ref.id)) this.content.set(ref.id, ref)
    return ref.id
  }

  /** A file the adapter read as a nested archive under `mount` (see {@link NestedArchive}). */
  nestedArchive(path: string, mount: string): void {
    if (!this.nested.some((n) => n.path === path)) this.nested.push({ path, mount })
  }

  hasContent(id: string): boolean {
    return this.content.has(id)
  }

  note(note: ParseNote): void {
    this.notes.push(note)
  }

  /** Devices, FIFOs and sockets the archive reader skipped (checklist item 13): one note each. */
  skippedEntries(skipped: ReadonlyArray<SkippedEntry>): void {
    for (const entry of skipped) {
      this.note({
        severity: "warning",
        code: "special-file-skipped",
        subject: `entry ${entry.path}`,
        path: entry.path,
        message: `a ${entry.kind} cannot be imported; skipped`,
      })
    }
  }

  /**
   * Record a regular file's size so content refs can be measured. Pass `keepFile` for files that
   * are content refs on their own (a dump), so they can be measured one by one.
   */
  file(path: string, size: number, keepFile = false): void {
    this.sizes.add(path, size, keepFile)
  }

  build(source: SnapshotSource): Snapshot {
    const content: Array<ContentRef> = []
    for (const draft of this.content.values()) {
      const excludes = draft.excludes ?? []
      let { bytes, files } = this.sizes.measure(draft.path)
      for (const excluded of excludes) {
        const minus = this.sizes.measure(excluded)
        bytes -= minus.bytes
        files -= minus.files
      }
      content.push({ ...draft, excludes: [...excludes], bytes, files })
    }
    return {
      source,
      entities: [...this.entities.values()],
      content,
      notes: [...this.notes],
      ...(this.nested.length > 0 ? { nested: [...this.nested] } : {}),
    }
  }
}
