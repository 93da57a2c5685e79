import './styles.css';
import { startApp } from './app';
import { captureTokenFromUrl } from './auth';
import { installHook } from './testHook';

const root = document.getElementById('app');
const hook = installHook();
captureTokenFromUrl();
if (root !== null) {
  startApp(root, hook).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    hook.error = message;
    const box = document.createElement('div');
    box.className = 'fatal';
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'fatal-error';
    const title = document.createElement('h2');
    title.textContent = 'The venue could not be loaded';
    const detail = document.createElement('p');
    detail.textContent = message;
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = 'Retry';
    retry.addEventListener('click', () => window.location.reload());
    box.append(title, detail, retry);
    root.replaceChildren(box);
  });
}
