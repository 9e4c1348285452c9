// TokenProxy admin pages. State changes go through the JSON API with the TokenProxy-Csrf header
// (a custom header needs a CORS preflight, so no other site can send it). No token ever reaches a page.
(() => {
  'use strict';
  const section = document.querySelector('section[data-connection]');
  if (!section) return;
  const id = section.dataset.connection;
  const base = `/admin/api/connections/${encodeURIComponent(id)}`;
  const show = (done) => { window.location.href = `/admin/connections/${encodeURIComponent(id)}?done=${done}`; };
  const post = (path) => fetch(path, { method: 'POST', headers: { 'TokenProxy-Csrf': '1' }, credentials: 'same-origin' });

  const busy = (button, on) => {
    button.disabled = on;
    button.setAttribute('aria-busy', String(on));
  };

  const refresh = document.querySelector('[data-action="refresh"]');
  if (refresh) {
    refresh.addEventListener('click', async () => {
      busy(refresh, true);
      try {
        const response = await post(`${base}/refresh`);
        show(response.ok ? 'refreshed' : 'refresh-failed');
      } catch {
        show('refresh-failed');
      }
    });
  }

  const dialog = document.getElementById('revoke-dialog');
  const revoke = document.querySelector('[data-action="revoke"]');
  if (revoke && dialog) {
    revoke.addEventListener('click', () => dialog.showModal());
    dialog.querySelector('[data-action="keep"]').addEventListener('click', () => {
      dialog.close();
      revoke.focus();
    });
    const confirm = dialog.querySelector('[data-action="confirm-revoke"]');
    confirm.addEventListener('click', async () => {
      busy(confirm, true);
      const response = await post(`${base}/revoke`);
      // 409: someone revoked it meanwhile; either way it is revoked now.
      if (response.ok || response.status === 409) {
        show('revoked');
        return;
      }
      busy(confirm, false);
      dialog.querySelector('p').textContent = 'Revoking failed. Try again, or reload the page.';
    });
  }
})();
