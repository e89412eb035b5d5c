import 'fake-indexeddb/auto';
import { beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { useLocale } from './locales';

beforeEach(() => {
  fakeBrowser.reset();
  useLocale('en', 'en-US');
});
