import { render } from 'preact';
import { Popup } from '@/components/Popup';
import { createPopupApi, type ActiveTab } from '@/utils/popup/api';
import { t, uiLocale } from '@/utils/i18n';
import './style.css';

document.documentElement.lang = uiLocale();
document.title = t('extension_name');

// `popup.html?tab=<id>` shows the popup for that tab (the popup opened in a tab of its own, by a guide or a test);
// without it, the active tab of the popup's window.
const forTab = Number(new URLSearchParams(location.search).get('tab'));
const api = createPopupApi();
if (Number.isInteger(forTab) && forTab > 0) {
  api.activeTab = async (): Promise<ActiveTab> => {
    const tab = await browser.tabs.get(forTab);
    return { id: tab.id ?? null, url: tab.url ?? null };
  };
}

render(<Popup api={api} />, document.getElementById('app')!);
