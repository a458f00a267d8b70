using System.Net;
using System.Net.Mail;
using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Checks a config's <c>notifications</c>. Errors are keyed by JSON path (<c>notifications.webhooks[0].url</c>).
/// <list type="bullet">
/// <item>A webhook URL is absolute https; plain http only to a loopback host (localhost, 127.0.0.0/8, ::1), because
/// the events and their signature would otherwise cross the network readable and replayable. No user:password in
/// the URL (it would be shown back by the API), no link-local address (169.254.0.0/16, fe80::/10: cloud metadata
/// endpoints live there).</item>
/// <item>A webhook secret is optional (without it nothing is signed); given as a value it has at least
/// <see cref="MinSecretLength"/> characters; given as <c>{"setting": "BackupSecrets__NAME"}</c> it names an app setting
/// under <c>BackupSecrets</c> (<see cref="SecretReferences"/>).</item>
/// <item>E-mail: 1 to <see cref="MaxRecipients"/> plain addresses.</item>
/// </list>
/// </summary>
public static class NotificationConfigValidator
{
    public const int MaxWebhooks = 5;
    public const int MaxRecipients = 20;
    public const int MaxUrlLength = 2000;
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 1024;

    /// <summary>Adds an error per problem found in <paramref name="config"/> (nothing when it is valid or null).</summary>
    public static void Validate(NotificationConfig? config, Action<string, string> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        if (config is null)
            return;
        const string Path = "notifications";
        if (config.Webhooks is null)
            add($"{Path}.webhooks", "Webhooks must be a list (it may be empty).");
        else
        {
            if (config.Webhooks.Count > MaxWebhooks)
                add($"{Path}.webhooks", $"At most {MaxWebhooks} webhooks.");
            for (var i = 0; i < config.Webhooks.Count; i++)
                ValidateWebhook(config.Webhooks[i], $"{Path}.webhooks[{i}]", add);
        }

        if (config.Email is { } email)
        {
            if (email.To is null || email.To.Count == 0)
                add($"{Path}.email.to", "List at least one address to send to.");
            else if (email.To.Count > MaxRecipients)
                add($"{Path}.email.to", $"At most {MaxRecipients} addresses.");
            else
            {
                for (var i = 0; i < email.To.Count; i++)
                {
                    if (!IsPlainAddress(email.To[i]))
                        add($"{Path}.email.to[{i}]", "Give a plain e-mail address such as ops@example.com.");
                }
            }
        }
    }

    /// <summary>Whether <paramref name="url"/> may receive webhooks; null when it may, else why not.</summary>
    public static string? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return $"The URL must be an absolute https URL of at most {MaxUrlLength} characters.";
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri.Host)))
            return "The URL must use https (plain http is accepted only for localhost/127.0.0.1, for local tests).";
        if (uri.UserInfo.Length > 0)
            return "The URL must not hold a user name or password; sign with the webhook secret instead.";
        if (IPAddress.TryParse(uri.IdnHost, out var address) && IsLinkLocal(address))
            return "The URL must not point to a link-local address (169.254.0.0/16, fe80::/10).";
        return null;
    }

    /// <summary>localhost, 127.0.0.0/8 or ::1.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim('[', ']');
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>An address alone (no display name, no comments), as MailAddress reads it back unchanged.</summary>
    public static bool IsPlainAddress(string? text) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= 254
        && MailAddress.TryCreate(text, out var parsed) && parsed.Address == text && parsed.DisplayName.Length == 0;

    private static void ValidateWebhook(WebhookChannel? webhook, string path, Action<string, string> add)
    {
        if (webhook is null)
        {
            add(path, "A webhook is an object with url and (optionally) secret.");
            return;
        }
        if (CheckUrl(webhook.Url) is { } problem)
            add($"{path}.url", problem);

        if (webhook.Secret is { } secret)
        {
            if (webhook.ProtectedSecret is not null)
                add($"{path}.secret", "Give secret only; protectedSecret is set by the service.");
            if (secret.Setting is { } setting)
            {
                if (SecretReferences.Problem(setting) is { } referenceProblem)
                    add($"{path}.secret", referenceProblem);
            }
            else if (secret.Value is not { Length: >= MinSecretLength and <= MaxSecretLength })
                add($"{path}.secret", $"The webhook secret must have {MinSecretLength} to {MaxSecretLength} characters (e.g. openssl rand -hex 32).");
        }
        else if (webhook.ProtectedSecret is { } stored && !IsProtectedForm(stored))
            add($"{path}.protectedSecret", "Set by the service; post the secret as secret instead (a reference names an app setting BackupSecrets__NAME).");
    }

    private static bool IsProtectedForm(string stored) =>
        stored.StartsWith(NotificationSetup.SealedPrefix, StringComparison.Ordinal)
        || (stored.StartsWith(NotificationSetup.SettingPrefix, StringComparison.Ordinal)
            && SecretReferences.Problem(stored[NotificationSetup.SettingPrefix.Length..]) is null);

    private static bool IsLinkLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.IsIPv6LinkLocal
            || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes() is [169, 254, _, _]);
    }
}
