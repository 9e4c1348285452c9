// TokenProxy admin pages. State changes go through the JSON API with the TokenProxy-Csrf header
// (a custom header needs a CORS preflight, so no other site can send it). No token ever reaches a page.

// The JSON forms (import, custom provider) send what the API takes; on a problem, each field it names is marked and every
// message is listed beside the form as text. `succeeded` tells a success apart, `then` goes on from it, and `failed` starts
// the sentence for a problem that names no field.
const jsonForm = {
  show(form, messages) {
    const errors = form.querySelector('[data-errors]');
    errors.replaceChildren(...messages.map((message) => {
      const item = document.createElement('li');
      item.textContent = message;
      return item;
    }));
    errors.hidden = messages.length === 0;
    if (messages.length > 0) errors.scrollIntoView({ block: 'nearest' });
  },

  async send(form, method, path, body, { succeeded, then, failed }) {
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', 'TokenProxy-Csrf': '1' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
      if (succeeded(response)) {
        await then(response);
        return;
      }
      const problem = await response.json().catch(() => ({}));
      const fields = problem.errors ?? {};
      for (const field of Object.keys(fields)) {
        form.querySelector(`[data-field="${CSS.escape(field)}"]`)?.setAttribute('aria-invalid', 'true');
      }
      const messages = Object.values(fields).flat();
      jsonForm.show(form, messages.length > 0 ? messages : [problem.detail ?? `${failed} (HTTP ${response.status}). Nothing was stored.`]);
    } catch {
      jsonForm.show(form, ['The proxy could not be reached. Nothing was stored.']);
    } finally {
      submit.disabled = false;
      submit.setAttribute('aria-busy', 'false');
    }
  },
};
(() => {
  'use strict';
  const section = document.querySelector('section[data-connection]');
  if (!section) return;
  const id = section.dataset.connection;
  // The client portal's connection page runs this too, with its own addresses (data-actions, data-page).
  const base = `${section.dataset.actions ?? '/admin/api/connections'}/${encodeURIComponent(id)}`;
  const show = (done) => { window.location.href = `${section.dataset.page ?? '/admin/connections'}/${encodeURIComponent(id)}?done=${done}`; };
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

  // Test connection: one read at the provider; its answer's message is shown as text, whatever it says.
  const test = document.querySelector('[data-action="test"]');
  const result = document.getElementById('test-result');
  if (test && result) {
    test.addEventListener('click', async () => {
      busy(test, true);
      result.hidden = false;
      result.textContent = 'Testing…';
      try {
        const response = await post(`${base}/test`);
        const body = await response.json().catch(() => null);
        result.textContent = body?.message ?? body?.detail ?? `The test could not be run (HTTP ${response.status}).`;
        result.dataset.ok = String(body?.ok === true);
      } catch {
        result.textContent = 'The proxy could not be reached.';
        result.dataset.ok = 'false';
      } finally {
        busy(test, false);
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
        const body = response.ok ? await response.json().catch(() => null) : null;
        show(body?.revocation?.error === 'invalid_destination' ? 'revoked-unresolved' : 'revoked');
        return;
      }
      busy(confirm, false);
      dialog.querySelector('p').textContent = 'Revoking failed. Try again, or reload the page.';
    });
  }
})();

// The import form (/admin/providers/{name}/import): the same JSON call as POST /admin/api/connections, so the proxy
// validates and stores the credential in one place. Its answer never holds the secret; messages are written as text.
(() => {
  'use strict';
  const form = document.querySelector('form[data-import]');
  if (!form) return;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { provider: form.dataset.provider };
    const parameters = {};
    for (const input of form.querySelectorAll('input')) {
      input.removeAttribute('aria-invalid');
      if (input.dataset.parameter) {
        parameters[input.dataset.parameter] = input.value;
      } else if (input.dataset.list !== undefined) {
        const items = input.value.split(/\s+/).filter((item) => item !== '');
        if (items.length > 0) body[input.name] = items;
      } else if (input.dataset.optional !== undefined && input.value === '') {
        // Left empty: the connection is in no workspace, or for no end user.
      } else if (input.dataset.endUser !== undefined) {
        body.endUser = { id: input.value };
      } else if (input.name && (input.name !== 'label' || input.value !== '')) {
        body[input.name] = input.value;
      }
    }
    if (Object.keys(parameters).length > 0) body.parameters = parameters;

    await jsonForm.send(form, 'POST', '/admin/api/connections', body, {
      succeeded: (response) => response.status === 201,
      then: async (response) => {
        const created = await response.json();
        window.location.href = `/admin/connections/${encodeURIComponent(created.id)}?done=${form.dataset.done}`;
      },
      failed: 'The import failed',
    });
  });
})();

// Resetting one end user's credentials (/admin/connections?workspace=&endUser=): the same call as
// DELETE /admin/api/connections?workspace=&endUser=, with the TokenProxy-Csrf header, after the person confirms.
(() => {
  'use strict';
  const panel = document.querySelector('[data-reset-end-user]');
  if (!panel) return;
  const button = panel.querySelector('[data-action="reset-end-user"]');
  const message = panel.querySelector('[data-reset-message]');
  button.addEventListener('click', async () => {
    const { resetWorkspace: workspace, resetEndUser: endUser } = panel.dataset;
    if (!window.confirm(`Revoke and delete every connection of ${endUser} in ${workspace}? Their apps stop working until they connect again.`)) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    const query = new URLSearchParams({ workspace, endUser });
    const response = await fetch(`/admin/api/connections?${query}`, { method: 'DELETE', headers: { 'TokenProxy-Csrf': '1' }, credentials: 'same-origin' });
    if (response.ok) {
      window.location.reload();
      return;
    }
    button.disabled = false;
    button.removeAttribute('aria-busy');
    message.textContent = 'Resetting failed. Try again, or reload the page.';
  });
})();

// Cancelling a workspace's outstanding connect request (/admin/connections?workspace=): the same call as
// DELETE /admin/api/connect-requests/{id}, with the TokenProxy-Csrf header; its link stops working at once.
(() => {
  'use strict';
  for (const button of document.querySelectorAll('[data-action="cancel-request"]')) {
    const row = button.closest('[data-connect-request]');
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      const response = await fetch(`/admin/api/connect-requests/${encodeURIComponent(row.dataset.connectRequest)}`,
        { method: 'DELETE', headers: { 'TokenProxy-Csrf': '1' }, credentials: 'same-origin' });
      if (response.ok) {
        row.remove();
        return;
      }
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = 'Retry cancel';
    });
  }
})();

// Adding or editing a custom OAuth provider (/admin/providers/new, /admin/providers/{name}/edit): the same JSON call as
// PUT /admin/api/providers/{name}, so the proxy validates and stores it in one place. The secret is sent only when typed,
// and never shown again; every problem is listed beside the form as text.
(() => {
  'use strict';
  const form = document.querySelector('form[data-provider-form]');
  if (!form) return;
  const name = form.querySelector('#name');
  const redirect = form.querySelector('[data-redirect-uri]');

  const showRedirect = () => {
    redirect.value = name.value === '' ? '' : `${form.dataset.publicBase}/admin/callback/${encodeURIComponent(name.value)}`;
  };
  name.addEventListener('input', showRedirect);
  form.querySelector('[data-action="copy-redirect-uri"]').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(redirect.value);
    } catch {
      redirect.select();
    }
  });

  const path = () => `/admin/api/providers/${encodeURIComponent(name.value)}`;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (name.value === '') {
      jsonForm.show(form, ['Give the provider a name.']);
      return;
    }
    const body = {};
    for (const input of form.querySelectorAll('input[name]')) {
      input.removeAttribute('aria-invalid');
      if (input.name === 'name') continue;
      if (input.type === 'checkbox') {
        body[input.name] = input.checked;
      } else if (input.dataset.list !== undefined) {
        body[input.name] = input.value.split(/\s+/).filter((item) => item !== '');
      } else if (input.value !== '') {
        body[input.name] = input.value;
      }
    }
    // No secret typed and none stored: a public client, which authenticates at the token endpoint with PKCE alone.
    if (body.ClientSecret === undefined && form.dataset.secretSet !== 'true') body.TokenEndpointAuth = 'none';

    await jsonForm.send(form, 'PUT', path(), body, {
      succeeded: (response) => response.status === 200 || response.status === 201,
      then: async () => {
        window.location.href = `/admin/providers#provider-${encodeURIComponent(name.value)}`;
      },
      failed: 'Saving failed',
    });
  });

  const remove = form.querySelector('[data-action="delete-provider"]');
  if (remove) {
    remove.addEventListener('click', async () => {
      if (!window.confirm(`Delete the stored provider ${name.value}? Its connections are kept.`)) return;
      const response = await fetch(path(), { method: 'DELETE', headers: { 'TokenProxy-Csrf': '1' }, credentials: 'same-origin' });
      if (response.status === 204) {
        window.location.href = '/admin/providers';
      } else {
        const problem = await response.json().catch(() => ({}));
        jsonForm.show(form, [problem.detail ?? `Deleting failed (HTTP ${response.status}).`]);
      }
    });
  }
})();
