import { render } from 'preact';
import { Library } from '@/components/Library';
import { createLibraryApi } from '@/utils/library/api';
import { withProbe } from '@/utils/library/probe';
import { t, uiLocale } from '@/utils/i18n';
import './style.css';

document.documentElement.lang = uiLocale();
document.title = t('library_page_title');

render(<Library api={withProbe(createLibraryApi())} />, document.getElementById('app')!);
