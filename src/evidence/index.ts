/** The evidence log: entries, append + fsync, streaming reads, verify, the write lock, attachments. */
export {
  ENTRY_TYPES,
  ENTRY_MEMBERS,
  formatAt,
  hashOf,
  isEntryType,
  parseEntryLine,
  serialiseEntry,
  type EntryType,
  type EvidenceEntry,
  type ParsedLine,
  type UnhashedEntry,
} from './entry.js';
export {
  ATTACHMENTS_DIR,
  DIR_MODE,
  DRAFTS_DIR,
  EvidenceLog,
  FILE_MODE,
  LOG_FILE,
  logFileOf,
  type CreateOptions,
  type LogIo,
  type OpenOptions,
  type SetAside,
} from './log.js';
export { readAllEntries, readEntries, type LogLine } from './read.js';
export { verifyLog, type VerifyOptions, type VerifyProblem, type VerifyReport } from './verify.js';
export { acquireLock, LOCK_FILE, type IncidentLock, type LockHolder, type LockOptions } from './lock.js';
export { copyAttachment, hashFile, sanitiseName, type AttachedFile } from './attachments.js';
