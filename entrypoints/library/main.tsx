import { render } from 'preact';
import { Library } from '@/components/Library';

render(<Library />, document.getElementById('app')!);
