// The console bundle's entry: renders the app into the page's #app element with the browser's fetch. The page
// (index.html) loads this file and the style sheet, and nothing else: no inline script, no other origin.
import { render } from 'preact';
import { createAdminApi } from './api/client';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App api={createAdminApi()} />, root);
