import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { LibraryFilters } from '@/components/LibraryFilters';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime, formatSize, t, tn, uiLocale, type MessageKey } from '@/utils/i18n';
import { NO_FILTER } from '@/utils/library/filter';
import { useLocale } from '../locales';

const containers: HTMLElement[] = [];
afterEach(() => {
  for (const c of containers.splice(0)) {
    render(null, c);
    c.remove();
  }
});

async function mount(node: preact.ComponentChild): Promise<HTMLElement> {
  const c = document.createElement('div');
  document.body.append(c);
  containers.push(c);
  await act(() => render(node, c));
  return c;
}

describe('t and tn', () => {
  it('fills placeholders in order and formats numbers for the UI language', () => {
    expect(t('library_selection_count', 3000)).toBe('3,000 selected');
    expect(t('storage_usage', '1 GB', '2 GB')).toBe('1 GB used · 2 GB available');
    expect(tn('filters_count_of', 12_345, 3)).toBe('3 of 12,345 artifacts');
  });

  it('picks the plural form by Intl.PluralRules: English one/other, Japanese and Chinese one form', () => {
    expect(tn('gallery_day_items', 1)).toBe('1 item');
    expect(tn('gallery_day_items', 2)).toBe('2 items');
    expect(tn('gallery_day_items', 0)).toBe('0 items');
    useLocale('ja');
    expect(tn('gallery_day_items', 1)).toBe('1 件');
    expect(tn('gallery_day_items', 1234)).toBe('1,234 件');
    useLocale('zh_CN');
    expect(tn('popup_retrying', 1)).toBe('正在重试 1 个文件。');
  });

  it('shows the key itself when no catalogue has it, so a gap is visible rather than blank', () => {
    expect(t('no_such_key' as MessageKey)).toBe('no_such_key');
  });
});

describe('uiLocale', () => {
  it("is the browser's UI language when the messages are in that language (keeps the region)", () => {
    useLocale('en', 'en-GB');
    expect(uiLocale()).toBe('en-GB');
    expect(formatDateTime(Date.UTC(2026, 0, 31, 12))).toMatch(/^31\/01\/2026/);
  });

  it("is the messages' language when the browser shows them under another UI language (Chromium without that locale's resources)", () => {
    useLocale('zh_CN', 'en-US');
    expect(uiLocale()).toBe('zh-CN');
    expect(formatDateTime(Date.UTC(2026, 0, 31, 12))).toMatch(/^2026\/1\/31/);
  });
});

describe('formatSize', () => {
  it.each([['512 B', 512], ['1.5 kB', 1500], ['2.1 MB', 2_127_000], ['12 GB', 12e9], ['3 TB', 3e12], ['unknown', null]])('%s in English', (text, n) => {
    expect(formatSize(n)).toBe(text);
  });

  it('is worded in the UI language', () => {
    useLocale('ja');
    expect(formatSize(1500)).toBe('1.5 KB');
    expect(formatSize(null)).toBe('不明');
  });
});

describe('components in another language', () => {
  it('Simplified Chinese: filters, counts and a status badge come from zh_CN', async () => {
    useLocale('zh_CN');
    const root = await mount(
      <div>
        <LibraryFilters filter={NO_FILTER} onChange={() => undefined} shown={2} total={3000} />
        <StatusBadge status="expired" reason={null} />
      </div>,
    );
    expect(root.querySelector('[data-testid="shown-count"]')!.textContent).toBe('3,000 个产物中的 2 个');
    expect(root.querySelector('input[type="search"]')!.getAttribute('aria-label')).toBe('搜索');
    expect(root.querySelector('[data-testid="status-badge"]')!.textContent).toBe('已过期');
  });
});
