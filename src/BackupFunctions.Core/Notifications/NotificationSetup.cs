using BackupFunctions.Core.Secrets;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Turns a config's <c>notifications</c> as posted into what the catalog keeps, and back: webhook secrets are sealed
/// (bound to the webhook's URL) or kept as app-setting references (<c>BackupSecrets__NAME</c> only, see
/// <see cref="SecretReferences"/>), never as values.
/// </summary>
public sealed class NotificationSetup(SecretSealer sealer, IOptions<NotificationOptions> options)
{
    internal const string SealedPrefix = "sealed:v1:";
    internal const string SettingPrefix = "setting:";
    private const string Purpose = "webhook";
    private const string SecretName = "secret";

    /// <summary>
    /// What to store for a valid (<see cref="NotificationConfigValidator"/>) <paramref name="config"/>: the same with
    /// each webhook's secret in protected form. Errors (JSON path → messages) say what this app cannot do; then
    /// nothing may be stored.
    /// </summary>
    public (NotificationConfig? Stored, IReadOnlyDictionary<string, string[]> Errors) Prepare(NotificationConfig? config)
        => Prepare(config, previous: null);

    /// <summary>
    /// As above, for a config that replaces <paramref name="previous"/>: a webhook sent back as an answer shows it
    /// (<c>signing</c>, <c>secretSetting</c>, the URL with <c>?…</c> for its query) keeps the URL and secret stored for
    /// it, which answers never show.
    /// </summary>
    public (NotificationConfig? Stored, IReadOnlyDictionary<string, string[]> Errors) Prepare(NotificationConfig? config, NotificationConfig? previous)
    {
        var errors = new Dictionary<string, string[]>();
        if (config is null)
            return (null, errors);
        config = config with { Webhooks = [.. config.Webhooks.Select((w, i) => AsAnswered(w, i, previous, errors))] };
        if (config.Email is not null && options.Value.Smtp.Host.Length == 0)
            errors["notifications.email"] = ["This app has no SMTP server (setting Notifications:Smtp:Host), so it cannot send e-mail."];
        for (var i = 0; i < config.Webhooks.Count; i++)
        {
            if (config.Webhooks[i].Secret is { Setting: null } && !sealer.CanSeal)
                errors[$"notifications.webhooks[{i}].secret"] =
                    ["This app cannot keep secret values (Secrets:SealingKey is not set): reference an app setting instead, {\"setting\": \"BackupSecrets__NAME\"}."];
        }
        if (errors.Count > 0)
            return (null, errors);

        var webhooks = config.Webhooks
            .Select(w => w.Secret is { } secret ? w with { Secret = null, ProtectedSecret = sealer.Protect(Purpose, w.Url, SecretName, secret) } : w)
            .ToList();
        return (config with { Webhooks = webhooks }, errors);
    }

    /// <summary>A webhook in the answer's shape resolved against the stored ones; errors name what cannot be kept.</summary>
    private static WebhookChannel AsAnswered(WebhookChannel webhook, int index, NotificationConfig? previous, Dictionary<string, string[]> errors)
    {
        var stored = previous?.Webhooks.FirstOrDefault(p => p.Url == webhook.Url || ShownUrl(p.Url) == webhook.Url);
        var url = stored?.Url ?? webhook.Url;
        var keep = webhook.Secret is null && (webhook.Signing == true || webhook.SecretSetting is not null);
        if (keep && stored?.ProtectedSecret is null)
        {
            errors[$"notifications.webhooks[{index}].signing"] =
                ["No secret is stored for this webhook: give it as secret (the value, or {\"setting\": \"BackupSecrets__NAME\"})."];
        }
        else if (keep && webhook.SecretSetting is { } setting && SecretSetting(stored!) != setting)
        {
            errors[$"notifications.webhooks[{index}].secretSetting"] =
                ["secretSetting only keeps the stored reference; to change it, send secret: {\"setting\": \"BackupSecrets__NAME\"}."];
        }
        return webhook with
        {
            Url = url,
            ProtectedSecret = keep ? stored?.ProtectedSecret : webhook.ProtectedSecret,
            Signing = null,
            SecretSetting = null,
        };
    }

    /// <summary>The signing secret of a stored webhook, or null when it signs nothing.</summary>
    /// <exception cref="InvalidOperationException">The referenced setting is missing, or the sealed value does not open (another sealing key, or moved to another URL).</exception>
    public string? RevealSecret(WebhookChannel webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        if (webhook.ProtectedSecret is { } stored)
            return sealer.Reveal(Purpose, webhook.Url, SecretName, stored);
        // Not prepared (a config written around the API): a reference still works, a plain value is never used.
        return webhook.Secret switch
        {
            null => null,
            { Setting: { } setting } => sealer.Reveal(Purpose, webhook.Url, SecretName, SettingPrefix + setting),
            _ => throw new InvalidOperationException("The webhook secret was stored unsealed; post the config again."),
        };
    }

    /// <summary>The app setting a stored webhook's secret is read from, or null (sealed, or no secret).</summary>
    public static string? SecretSetting(WebhookChannel webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return webhook.ProtectedSecret is { } stored && stored.StartsWith(SettingPrefix, StringComparison.Ordinal)
            ? stored[SettingPrefix.Length..]
            : webhook.Secret?.Setting;
    }

    /// <summary>Whether a stored webhook signs its requests.</summary>
    public static bool IsSigned(WebhookChannel webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return webhook.ProtectedSecret is not null || webhook.Secret is not null;
    }

    /// <summary>
    /// A URL as the API may show it: without its query string (tokens often travel there), which becomes <c>?…</c>.
    /// </summary>
    public static string ShownUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var query = url.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? url : url[..query] + "?…";
    }

    /// <summary>A URL as logs and delivery reports name it: scheme, host and port only (paths and queries may hold tokens).</summary>
    public static string LoggedUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "(invalid URL)";
}
