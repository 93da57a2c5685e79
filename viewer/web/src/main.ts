import './styles.css';
import { startApp } from './app';
import { t } from './i18n';
import { currentSession, onUnauthorized, openServerSession } from './auth';
import { installHook } from './testHook';
import { noteSignedOut, showLogin } from './ui/login';
import { applyInitialTheme } from './ui/theme';

const root = document.getElementById('app');
const hook = installHook();
applyInitialTheme();

function showFatal(target: HTMLElement, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  hook.error = message;
  const box = document.createElement('div');
  box.className = 'fatal';
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'fatal-error';
  const title = document.createElement('h2');
  title.textContent = t('app.loadFailed');
  const detail = document.createElement('p');
  detail.textContent = message;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.textContent = t('app.retry');
  retry.addEventListener('click', () => window.location.reload());
  box.append(title, detail, retry);
  target.replaceChildren(box);
}

async function boot(target: HTMLElement): Promise<void> {
  // A refused token anywhere (REST 401, socket 4401): a fresh page shows the login screen.
  onUnauthorized(() => {
    noteSignedOut(t('app.sessionEnded'));
    window.location.reload();
  });
  const session = currentSession() ?? (await openServerSession()) ?? (await showLogin(target));
  hook.user = { username: session.username, role: session.role };
  await startApp(target, hook, session);
}

if (root !== null) boot(root).catch((err: unknown) => showFatal(root, err));
