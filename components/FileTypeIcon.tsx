/**
 * The stand-in for a file that has no thumbnail (a CSV, a spreadsheet, a missing image): the file's
 * extension in a coloured card, coloured by family so a grid of files is scannable.
 */
import { extensionFor } from '@/utils/files/sniff';
import { t } from '@/utils/i18n';

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
  const ext = (fromName || extensionFor(mimeType) || '').toLowerCase();
  const family = FAMILIES.find(([re]) => re.test(ext))?.[1] ?? 'other';
  // No extension to show: a word in the person's language instead ("chart", "file").
  const label = ext ? ext.slice(0, 5).toUpperCase() : t(kind === 'chart' ? 'type_icon_chart' : 'type_icon_file');
  return (
    <span class={`type-icon type-${family}`} aria-hidden="true" data-testid="type-icon">
      {label}
    </span>
  );
}
