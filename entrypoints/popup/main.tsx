import { render } from 'preact';
import { Popup, type ActiveTab } from '@/components/Popup';
import { t, uiLocale } from '@/utils/i18n';
import './style.css';

document.documentElement.lang = uiLocale();
document.title = t('extension_name');

// `popup.html?tab=<id>` shows the popup for that tab (the popup opened in a tab of its own, by a guide or a test);
// without it, the active tab of the popup's window.
const forTab = Number(new URLSearchParams(location.search).get('tab'));
const getTab = Number.isInteger(forTab) && forTab > 0
  ? async (): Promise<ActiveTab> => {
    const tab = await browser.tabs.get(forTab);
    return { id: tab.id ?? null, url: tab.url ?? null };
  }
  : undefined;

render(<Popup getTab={getTab} />, document.getElementById('app')!);
