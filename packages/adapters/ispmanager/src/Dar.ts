/** What to tell the user about a DAR backup (ispmanager 5 before 5.52; §8 #9). */
export const darRefusal =
  "an ispmanager 5 backup in the old DAR format (before 5.52), which Ferry cannot read. Convert it on the source server with /usr/local/mgr5/sbin/backup2_conv, then import the .tgz backup it writes"
