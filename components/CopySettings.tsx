/**
 * Settings of the copies that leave the vault (downloads, the selection ZIP, the Downloads-folder copy, the
 * readable archive's files): the `File names` pattern with a live preview of what it gives for an artifact
 * of the vault (a made-up one when the vault is empty) and, when it does not parse, why and that the
 * default applies; and `Write the prompt into downloaded copies`, which says plainly what it changes. Both
 * are WXT storage items (utils/storage.ts); the pattern is saved as typed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import { DEFAULT_NAME_PATTERN, NAME_TOKENS, namePatternOrDefault, parseNamePattern, patternFileName, SAMPLE_FIELDS } from '@/utils/files/name-pattern';
import { artifactFileName } from '@/utils/library/names';
import { fileNamePattern, promptInCopies } from '@/utils/storage';

export interface CopySettingsProps {
  /** An artifact of the vault the preview names (an image with a prompt shows the most); null: a sample. */
  example: ArtifactRecord | null;
  /** Its conversation's title. */
  exampleTitle?: string | null;
}

export function CopySettings({ example, exampleTitle = null }: CopySettingsProps) {
  const [pattern, setPattern] = useState<string | null>(null);
  const [writePrompt, setWritePrompt] = useState(false);
  // Values this field wrote: their change events arrive after later keystrokes and must not undo them.
  const written = useRef(new Set<string>());

  useEffect(() => {
    void fileNamePattern.getValue().then(setPattern);
    void promptInCopies.getValue().then(setWritePrompt);
    const offA = fileNamePattern.watch((v) => {
      if (!written.current.delete(v)) setPattern(v);
    });
    const offB = promptInCopies.watch((v) => setWritePrompt(v));
    return () => {
      offA();
      offB();
    };
  }, []);
  if (pattern === null) return null;

  const parsed = parseNamePattern(pattern);
  const used = namePatternOrDefault(pattern);
  const preview = example ? artifactFileName(example, used, exampleTitle ?? example.conversationTitle) : patternFileName(used, SAMPLE_FIELDS);

  const change = (value: string) => {
    setPattern(value);
    written.current.add(value);
    void fileNamePattern.setValue(value);
  };
  const toggle = () => {
    setWritePrompt(!writePrompt);
    void promptInCopies.setValue(!writePrompt);
  };

  return (
    <fieldset class="settings copy-settings" data-testid="copy-settings">
      <legend>Downloaded copies</legend>
      <label for="file-name-pattern">File names</label>
      <input
        id="file-name-pattern"
        type="text"
        spellcheck={false}
        autocomplete="off"
        value={pattern}
        aria-invalid={!parsed.ok}
        aria-describedby="file-name-preview"
        onInput={(e) => change(e.currentTarget.value)}
      />
      <p id="file-name-preview" class="name-preview" aria-live="polite">
        {!parsed.ok && (
          <span class="name-error" data-testid="name-pattern-error">{parsed.error} The default pattern is used until this is fixed. </span>
        )}
        {example ? 'A file of your vault downloads as ' : 'Example: '}
        <code data-testid="name-preview">{preview}</code>
      </p>
      <details id="file-name-help" class="name-help">
        <summary>Tokens</summary>
        <dl>
          {Object.entries(NAME_TOKENS).map(([token, what]) => (
            <div key={token}>
              <dt><code>{`{${token}}`}</code></dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p>
          <code>{'{prompt|title}'}</code> uses the title when there is no prompt; <code>{'{prompt:30}'}</code> keeps 30 characters.
          The file's own extension is always kept, and two files that would get the same name in one folder are numbered.
        </p>
      </details>
      {pattern !== DEFAULT_NAME_PATTERN && (
        <button type="button" class="link-button" onClick={() => change(DEFAULT_NAME_PATTERN)}>Use the default pattern</button>
      )}
      <label class="prompt-option">
        <input type="checkbox" checked={writePrompt} onChange={toggle} aria-describedby="prompt-option-note" /> Write the prompt into downloaded copies
      </label>
      <p id="prompt-option-note" class="muted">
        Adds the prompt as the description of PNG, JPEG and WebP copies you download. This changes the file, so its content
        credentials (C2PA), which record where the image came from, no longer match it. The vault and the readable archive keep
        every file exactly as captured.
      </p>
    </fieldset>
  );
}
