import { render } from 'preact';
import { Library } from '@/components/Library';
import { createLibraryApi } from '@/utils/library/api';
import { withProbe } from '@/utils/library/probe';
import './style.css';

render(<Library api={withProbe(createLibraryApi())} />, document.getElementById('app')!);
