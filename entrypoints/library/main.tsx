import { render } from 'preact';
import { Library } from '@/components/Library';
import { createLibraryApi, type LibraryApi } from '@/utils/library/api';
import { t, uiLocale } from '@/utils/i18n';
import './style.css';

document.documentElement.lang = uiLocale();
document.title = t('library_page_title');

const show = (api: LibraryApi) => render(<Library api={api} />, document.getElementById('app')!);

// Only the benchmark's build (`VITE_LIBRARY_PROBE=1`, `npm run bench`) carries the measurement probe; Vite drops
// this branch and the probe module from every other build.
if (import.meta.env.VITE_LIBRARY_PROBE) void import('@/utils/library/probe').then(({ withProbe }) => show(withProbe(createLibraryApi())));
else show(createLibraryApi());
