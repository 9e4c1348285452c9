// TokenProxy client portal: the Connect buttons of the outstanding requests panel and a connection's Reconnect (the connection page's refresh and
// revoke run in admin.js, with the portal's addresses). State changes go through POST /portal/... with the
// TokenProxy-Csrf header (a custom header needs a CORS preflight, so no other site can send it). No token ever
// reaches a page.
(() => {
  'use strict';
  const message = document.querySelector('[data-connect-message]');
  // Connect (an outstanding request) and Reconnect (a connection in error or revoked) both ask the portal to start a
  // sign-in and go where it says.
  const starts = [
    ['connect-request', b => `/portal/requests/${encodeURIComponent(b.dataset.requestId)}/connect`,
      'This request can no longer be opened. Reload the page to see the requests still waiting.'],
    ['reconnect', b => `/portal/connections/${encodeURIComponent(b.dataset.connectionId)}/reconnect`,
      'This connection cannot be reconnected from here. Contact your agency.'],
  ];
  for (const [action, address, failure] of starts) for (const button of document.querySelectorAll(`[data-action="${action}"]`)) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        const response = await fetch(address(button),
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
      if (message) message.textContent = failure;
    });
  }
})();
