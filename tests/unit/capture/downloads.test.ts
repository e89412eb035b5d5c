import { describe, expect, it } from 'vitest';
import { downloadPath } from '@/utils/capture/downloads';

describe('Downloads-folder paths', () => {
  it('files each capture under the folder and the conversation title', () => {
    expect(
      downloadPath({ conversationTitle: 'Q3: report / draft', conversationId: '69f1a2b3-4c5d', fileName: 'q3_revenue.csv', id: 'sandbox:x' }),
    ).toBe('ChatGPT Artifact Vault/Q3 report draft/q3_revenue.csv');
  });

  it('falls back to the conversation id and the artifact id when names are missing', () => {
    expect(downloadPath({ conversationTitle: null, conversationId: '69f1a2b3-4c5d', fileName: null, id: 'file:file_abc' })).toBe(
      'ChatGPT Artifact Vault/69f1a2b3/file-file_abc',
    );
  });

  it('strips bidi and zero-width characters from the folder and the file name', () => {
    expect(
      downloadPath({ conversationTitle: 'Bills\u200B\u2067', conversationId: 'c1', fileName: 'invoice\u202Egpj.exe', id: 'file:x' }),
    ).toBe('ChatGPT Artifact Vault/Bills/invoicegpj.exe');
  });
});
