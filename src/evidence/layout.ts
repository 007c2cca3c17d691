/** What an incident directory holds (SPEC section 4): the names every layer may know. */
export const LOG_FILE = 'evidence.jsonl';
export const ATTACHMENTS_DIR = 'attachments';
export const DRAFTS_DIR = 'drafts';
export const CHECKPOINTS_DIR = 'checkpoints';
