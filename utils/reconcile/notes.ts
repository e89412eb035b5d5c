/**
 * What a reconciliation could not read or did differently, without failing: a code and its parameters, which
 * the library page says in the person's language (components/reasons.ts) and the CLI prints in English
 * (`noteText`, the one English wording). The walker's own notes (`detail`) stay as the walker wrote them: a
 * JSON path and what was found there, technical by nature.
 */
export type ReconcileNote =
  /** Heads the walker's notes: how many conversations had parts it could not read or skipped. */
  | { code: 'walker-summary'; conversations: number }
  | { code: 'walker'; conversation: string; detail: string }
  /** More walker notes in that conversation than were kept. */
  | { code: 'walker-more'; conversation: string; more: number }
  /** Only the first `max` walker notes are listed. */
  | { code: 'walker-first'; max: number }
  | { code: 'no-id'; count: number }
  /** The export's name map (`file`) is not an object: original file names are unknown. */
  | { code: 'names-not-object'; file: string }
  /** Members of the export under vault/, which the enriched export moves to `folder`/. */
  | { code: 'export-vault-folder'; count: number; folder: string }
  /** The library page could not keep the export's index for `Back up everything` (`detail`: the browser's error). */
  | { code: 'index-not-kept'; detail: string };

/** The English line the CLI prints for a note. */
export function noteText(note: ReconcileNote): string {
  switch (note.code) {
    case 'walker-summary': return `${note.conversations} conversations had parts the walker could not read or skipped:`;
    case 'walker': return `  conversation ${note.conversation}: ${note.detail}`;
    case 'walker-more': return `  conversation ${note.conversation}: … and ${note.more} more`;
    case 'walker-first': return `  (the first ${note.max} notes are listed)`;
    case 'no-id': return `${note.count} conversations had no id and were skipped`;
    case 'names-not-object': return `${note.file} is not an object; original names unknown`;
    case 'export-vault-folder':
      return `the export has ${note.count} member${note.count === 1 ? '' : 's'} of its own under vault/, which the enriched export keeps under ${note.folder}/ (vault/ holds only this vault's files)`;
    case 'index-not-kept': return `The export's index was not kept for Back up everything: ${note.detail}`;
  }
}
