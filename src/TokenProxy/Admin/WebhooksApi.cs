using System.Globalization;
using System.Text.Json;
using TokenProxy.Proxy;
using TokenProxy.Vault;
using TokenProxy.Webhooks;

namespace TokenProxy.Admin;

/// <summary>
/// <c>/admin/api/webhooks</c>: webhooks made here (those of the configuration are shown and tested, not changed), their
/// deliveries, a redelivery and a test event (docs/architecture.md §12). The secret is write-only.
/// </summary>
internal static class WebhooksApi
{
    public const string Shape = "Send one JSON object: {url, secret, events: [types], workspace?}; secret may be left out of an update to keep it.";

    /// <summary>The body's fields as JSON names them (matched case aside, as the reader does).</summary>
    private static readonly IReadOnlySet<string> Settings = new SortedSet<string>(["url", "secret", "events", "workspace"], StringComparer.OrdinalIgnoreCase);

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder admin)
    {
        var api = admin.MapGroup("/api/webhooks");
        api.MapGet("/", ListAsync);
        api.MapGet("/{name}", GetAsync);
        api.MapPut("/{name}", PutAsync);
        api.MapDelete("/{name}", DeleteAsync);
        api.MapGet("/{name}/deliveries", DeliveriesAsync);
        api.MapPost("/{name}/deliveries/{id}/redeliver", RedeliverAsync);
        api.MapPost("/{name}/test", TestAsync);
        return admin;
    }

    private static async Task<IEnumerable<WebhookView>> ListAsync(IWebhookStore store, CancellationToken cancellationToken) =>
        (await store.ListWebhooksAsync(cancellationToken)).Select(WebhookView.From);

    private static async Task<IResult> GetAsync(string name, IWebhookStore store, CancellationToken cancellationToken) =>
        await store.GetWebhookAsync(name, cancellationToken) is { } webhook ? TypedResults.Ok(WebhookView.From(webhook)) : NotFound(name);

    private static async Task<IResult> PutAsync(
        string name, HttpRequest body, IWebhookStore store, IConnectionStore connections, WebhookCatalog catalog, CancellationToken cancellationToken)
    {
        if (!body.HasJsonContentType())
        {
            return AdminProblems.NotJson(Shape);
        }

        JsonElement json;
        try
        {
            json = await body.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
        catch (JsonException)
        {
            return AdminProblems.MalformedJson(Shape);
        }
        catch (BadHttpRequestException e)
        {
            return ProxyProblems.UnreadableBody(e);
        }

        if (json.ValueKind != JsonValueKind.Object || JsonKeys.Repeat(json))
        {
            return AdminProblems.MalformedJson(Shape);
        }

        // A key nothing reads (a typo would otherwise be ignored) and a value of the wrong type, each under its name.
        var unread = JsonKeys.Unread(json, Settings, "a webhook");
        PutWebhookRequest request;
        try
        {
            request = json.Deserialize<PutWebhookRequest>(JsonSerializerOptions.Web)!;
        }
        catch (JsonException e) when (e.Path?.TrimStart('$', '.') is { Length: > 0 } field)
        {
            unread[field] = [$"{field}: a value of the wrong type; {Shape}"];
            return AdminProblems.Invalid(unread);
        }

        if (unread.Count > 0)
        {
            return AdminProblems.Invalid(unread);
        }

        if (catalog.IsConfigured(name))
        {
            return Configured(name);
        }

        var existing = await store.GetWebhookAsync(name, cancellationToken);
        var errors = WebhookRules.Problems(name, request.Url, request.Secret, request.Events, request.Workspace, catalog.AllowPrivateNetworks, secretRequired: existing is null)
            .GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray(), StringComparer.Ordinal);
        if (request.Workspace is { } workspace && !errors.ContainsKey("workspace") && await connections.GetWorkspaceAsync(workspace, cancellationToken) is null)
        {
            // A typo would leave a webhook that is never told anything.
            errors["workspace"] = [$"There is no workspace '{workspace}'. Create it first with POST /admin/api/workspaces."];
        }

        if (errors.Count > 0)
        {
            return AdminProblems.Invalid(errors);
        }

        var created = await catalog.SaveAsync(name, request.Url!, request.Secret, request.Events!, request.Workspace, WebhookRow.FromApi, cancellationToken);
        var saved = await store.GetWebhookAsync(name, cancellationToken);
        return created == true
            ? TypedResults.Created($"/admin/api/webhooks/{name}", WebhookView.From(saved!))
            : TypedResults.Ok(WebhookView.From(saved!));
    }

    private static async Task<IResult> DeleteAsync(string name, IWebhookStore store, WebhookCatalog catalog, CancellationToken cancellationToken)
    {
        if (catalog.IsConfigured(name))
        {
            return Configured(name);
        }

        return await store.DeleteWebhookAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);
    }

    private static async Task<IResult> DeliveriesAsync(string name, string? before, string? limit, IWebhookStore store, CancellationToken cancellationToken)
    {
        if (await store.GetWebhookAsync(name, cancellationToken) is null)
        {
            return NotFound(name);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        long? from = null;
        if (!string.IsNullOrEmpty(before))
        {
            if (long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                from = id;
            }
            else
            {
                errors["before"] = ["before must be a delivery id."];
            }
        }

        var size = 50;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 500))
        {
            errors["limit"] = ["limit must be a whole number from 1 to 500."];
        }

        if (errors.Count > 0)
        {
            return AdminProblems.Invalid(errors);
        }

        var deliveries = await store.ListDeliveriesAsync(name, from, size, cancellationToken);
        return TypedResults.Ok(deliveries.Select(WebhookDeliveryView.From));
    }

    private static async Task<IResult> RedeliverAsync(
        string name, string id, IWebhookStore store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var delivery)
            || !await store.RedeliverAsync(name, delivery, time.GetUtcNow(), cancellationToken))
        {
            return new ProblemResult(StatusCodes.Status404NotFound, "delivery_not_found", "Delivery not found.", $"The webhook '{name}' has no delivery '{id}'.");
        }

        dispatcher.Wake();
        return TypedResults.Accepted($"/admin/api/webhooks/{name}/deliveries", new { id = delivery, status = WebhookDelivery.Pending });
    }

    private static async Task<IResult> TestAsync(
        string name, IWebhookStore store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetWebhookAsync(name, cancellationToken) is null)
        {
            return NotFound(name);
        }

        var now = time.GetUtcNow();
        var eventId = StoredEvents.NewId();
        var id = await store.InsertDeliveryAsync(
            name, eventId, WebhookPayload.TestType, new WebhookDraft(eventId, WebhookPayload.Test(eventId, name, now)), now, cancellationToken);
        dispatcher.Wake();
        return TypedResults.Accepted($"/admin/api/webhooks/{name}/deliveries", new { id, eventId, status = WebhookDelivery.Pending });
    }

    private static ProblemResult NotFound(string name) =>
        new(StatusCodes.Status404NotFound, "webhook_not_found", "Webhook not found.", $"There is no webhook '{name}'.");

    private static ProblemResult Configured(string name) =>
        new(StatusCodes.Status409Conflict, "webhook_configured", "Webhook defined in configuration.",
            $"The webhook '{name}' comes from TokenProxy:Webhooks:{name}; change it there.");
}
