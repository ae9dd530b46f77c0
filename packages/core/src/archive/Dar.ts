/*
 * DAR ("Disk ARchive") slices, the format of ispmanager 5 backups before 5.52. Ferry does not
 * read DAR; it recognises a slice only to tell the user how to convert it. The slice header, as
 * the `file(1)` magic database describes it: a big-endian 32-bit 123, a 10-byte label, then a
 * flag byte, `T` for the last slice or `N` for another one.
 */

export const isDarSlice = (head: Uint8Array): boolean =>
  head.length >= 15 && head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 123 && (head[14] === 0x54 || head[14] === 0x4e)

/** What to tell the user about a DAR backup. */
export const darRefusal =
  "a DAR archive: ispmanager 5 before 5.52 wrote its backups in this format, which Ferry cannot read. " +
  "Convert the backup on the source server with /usr/local/mgr5/sbin/backup2_conv, then import the .tgz backup it writes"
