/**
 * The stand-in for a file that has no thumbnail (a CSV, a spreadsheet, a missing image): the file's
 * extension in a coloured card, coloured by family so a grid of files is scannable.
 */
import { extensionFor } from '@/utils/files/sniff';

export interface FileTypeIconProps {
  fileName: string | null;
  mimeType: string | null;
  kind: string;
}

const FAMILIES: Array<[RegExp, string]> = [
  [/^(csv|tsv|xlsx?|ods|numbers)$/, 'sheet'],
  [/^(json|xml|ya?ml|py|js|ts|ipynb|html?|sql|sh|r)$/, 'code'],
  [/^(pdf|docx?|odt|rtf|md|txt|pptx?)$/, 'doc'],
  [/^(zip|gz|tar|7z|rar)$/, 'archive'],
  [/^(png|jpe?g|webp|gif|svg|bmp|tiff?|avif|heic)$/, 'image'],
];

export function FileTypeIcon({ fileName, mimeType, kind }: FileTypeIconProps) {
  const fromName = fileName && /\.([a-z0-9]{1,8})$/i.exec(fileName)?.[1];
  const ext = (fromName || extensionFor(mimeType) || (kind === 'chart' ? 'chart' : 'file')).toLowerCase();
  const family = FAMILIES.find(([re]) => re.test(ext))?.[1] ?? 'other';
  return (
    <span class={`type-icon type-${family}`} aria-hidden="true" data-testid="type-icon">
      {ext.slice(0, 5).toUpperCase()}
    </span>
  );
}
