/** What an incident directory holds (SPEC section 4): the names every layer may know. */
export const LOG_FILE = 'evidence.jsonl';
export const ATTACHMENTS_DIR = 'attachments';
export const DRAFTS_DIR = 'drafts';
export const CHECKPOINTS_DIR = 'checkpoints';
/** One more chain per responder other than the opener (issue 17): `chains/<writer>.jsonl`. */
export const CHAINS_DIR = 'chains';
