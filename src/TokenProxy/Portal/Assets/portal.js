// TokenProxy client portal: the Connect buttons of the outstanding requests panel (the connection page's refresh and
// revoke run in admin.js, with the portal's addresses). State changes go through POST /portal/... with the
// TokenProxy-Csrf header (a custom header needs a CORS preflight, so no other site can send it). No token ever
// reaches a page.
(() => {
  'use strict';
  const message = document.querySelector('[data-connect-message]');
  for (const button of document.querySelectorAll('[data-action="connect-request"]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        const response = await fetch(`/portal/requests/${encodeURIComponent(button.dataset.requestId)}/connect`,
          { method: 'POST', headers: { 'TokenProxy-Csrf': '1' }, credentials: 'same-origin' });
        if (response.ok) {
          // The portal started the request's flow and names the address to go to next (the provider's authorization page).
          window.location.href = (await response.json()).location;
          return;
        }
      } catch {
        // Said below.
      }
      button.disabled = false;
      button.setAttribute('aria-busy', 'false');
      if (message) message.textContent = 'This request can no longer be opened. Reload the page to see the requests still waiting.';
    });
  }
})();
