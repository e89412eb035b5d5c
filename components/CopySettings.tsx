/**
 * Settings of the copies that leave the vault (downloads, the selection ZIP, the Downloads-folder copy, the
 * readable archive's files): the `File names` pattern with a live preview of what it gives for an artifact
 * of the vault (a made-up one when the vault is empty) and, when it does not parse, why and that the
 * default applies; and `Write the prompt into downloaded copies`, which says plainly what it changes. Both
 * are WXT storage items (utils/storage.ts); the pattern is saved as typed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ArtifactRecord } from '@/utils/vault';
import {
  DEFAULT_NAME_PATTERN, namePatternOrDefault, parseNamePattern, patternFileName, SAMPLE_FIELDS, TOKEN_LIST, type NameToken, type PatternProblem,
} from '@/utils/files/name-pattern';
import { t, type MessageKey } from '@/utils/i18n';
import { artifactFileName } from '@/utils/library/download-names';
import { fileNamePattern, promptInCopies } from '@/utils/storage';

const TOKEN_KEYS: Readonly<Record<NameToken, MessageKey>> = {
  date: 'copy_token_date', time: 'copy_token_time', title: 'copy_token_title', prompt: 'copy_token_prompt', name: 'copy_token_name',
  kind: 'copy_token_kind', id: 'copy_token_id',
};

function problemText(p: PatternProblem): string {
  switch (p.code) {
    case 'empty': return t('copy_pattern_empty', TOKEN_LIST);
    case 'too-long': return t('copy_pattern_too_long');
    case 'no-token': return t('copy_pattern_no_token', TOKEN_LIST);
    case 'stray-close': return t('copy_pattern_stray_close', p.at);
    case 'unclosed': return t('copy_pattern_unclosed', p.at);
    case 'unknown-token': return t('copy_pattern_unknown_token', p.token, TOKEN_LIST);
    case 'bad-length': return t('copy_pattern_bad_length', p.token, p.max);
  }
}

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
      <legend>{t('copy_legend')}</legend>
      <label for="file-name-pattern">{t('copy_file_names')}</label>
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
          <span class="name-error" data-testid="name-pattern-error">{problemText(parsed.problem)} {t('copy_pattern_default_used')} </span>
        )}
        {example ? t('copy_preview_vault') : t('copy_preview_example')}{' '}
        <code data-testid="name-preview">{preview}</code>
      </p>
      <details id="file-name-help" class="name-help">
        <summary>{t('copy_tokens')}</summary>
        <dl>
          {Object.entries(TOKEN_KEYS).map(([token, key]) => (
            <div key={token}>
              <dt><code>{`{${token}}`}</code></dt>
              <dd>{t(key)}</dd>
            </div>
          ))}
        </dl>
        <p>{t('copy_tokens_help')}</p>
      </details>
      {pattern !== DEFAULT_NAME_PATTERN && (
        <button type="button" class="link-button" onClick={() => change(DEFAULT_NAME_PATTERN)}>{t('copy_use_default')}</button>
      )}
      <label class="prompt-option">
        <input type="checkbox" checked={writePrompt} onChange={toggle} aria-describedby="prompt-option-note" /> {t('copy_prompt_option')}
      </label>
      <p id="prompt-option-note" class="muted">
        {t('copy_prompt_note')}
      </p>
    </fieldset>
  );
}
