/** The sign-in screen: username and password, POST /api/auth/login. */

import { ApiError, login } from '../api';
import { t } from '../i18n';
import { type Session, saveSession } from '../auth';
import { h } from './dom';

const NOTICE_KEY = 'venue-twin.signed-out-because';

/** Remember why the operator was signed out, to say so on the login screen after the reload. */
export function noteSignedOut(reason: string): void {
  try {
    sessionStorage.setItem(NOTICE_KEY, reason);
  } catch {
    // The screen then shows no reason.
  }
}

function takeNotice(): string | null {
  try {
    const reason = sessionStorage.getItem(NOTICE_KEY);
    sessionStorage.removeItem(NOTICE_KEY);
    return reason;
  } catch {
    return null;
  }
}

/** Show the login form in `root`; resolves once the server accepted a username and password. */
export function showLogin(root: HTMLElement): Promise<Session> {
  return new Promise((resolve) => {
    const username = h('input', {
      id: 'login-username',
      name: 'username',
      autocomplete: 'username',
      required: true,
      'data-testid': 'login-username',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
    const password = h('input', {
      id: 'login-password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      'data-testid': 'login-password',
    });
    const error = h('p', { class: 'login-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
    const reason = takeNotice();
    const notice = h('p', { class: 'login-notice', text: reason ?? '', hidden: reason === null });
    const submit = h('button', { type: 'submit', class: 'primary-button', 'data-testid': 'login-submit', text: t('login.submit') });
    const form = h(
      'form',
      { class: 'login', 'data-testid': 'login', 'aria-labelledby': 'login-title' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'venue-twin'),
      h('h1', { id: 'login-title', class: 'login-title', text: t('login.title') }),
      notice,
      h('label', { for: 'login-username', text: t('login.username') }),
      username,
      h('label', { for: 'login-password', text: t('login.password') }),
      password,
      error,
      submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      login(username.value.trim(), password.value)
        .then((answer) => {
          const session: Session = answer;
          saveSession(session);
          resolve(session);
        })
        .catch((err: unknown) => {
          error.textContent =
            err instanceof ApiError && err.status === 401
              ? t('login.wrong')
              : t('login.failed', { error: err instanceof Error ? err.message : String(err) });
          error.hidden = false;
          password.select();
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    root.replaceChildren(h('div', { class: 'login-screen' }, form));
    document.title = `${t('login.submit')} · venue-twin`;
    username.focus();
  });
}
