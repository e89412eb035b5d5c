import { render } from 'preact';
import { Popup } from '@/components/Popup';
import './style.css';

render(<Popup />, document.getElementById('app')!);
