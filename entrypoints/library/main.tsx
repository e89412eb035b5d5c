import { render } from 'preact';
import { Library } from '@/components/Library';
import './style.css';

render(<Library />, document.getElementById('app')!);
