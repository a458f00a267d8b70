using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace BackupFunctions.Core.Secrets;

/// <summary>
/// The one rule for secrets an API caller gives by reference — <c>{"setting": "…"}</c> in a storage location or a
/// webhook, and a config's <c>database.passwordSetting</c>: a reference may name only an app setting under
/// <c>BackupSecrets</c> (<c>BackupSecrets__NAME</c>; in Azure an app setting that is a Key Vault reference), and the
/// value is read only from that configuration section.
/// </summary>
/// <remarks>
/// The caller chooses the host the secret is sent to (FTP <c>PASS</c>, SFTP password, PostgreSQL password), so a
/// reference that could name any setting would hand out the app's own secrets (<c>Keys:TransitKey</c>,
/// <c>Secrets:SealingKey</c>, <c>AzureWebJobsStorage</c>, other configs' passwords). The rule is checked when a
/// reference is posted (<see cref="Problem"/>, a 400 naming the field) and again when it is read
/// (<see cref="Resolve"/>), because rows written before the rule may name anything.
/// </remarks>
public sealed partial class SecretReferences
{
    /// <summary>The configuration section references read from.</summary>
    public const string Section = "BackupSecrets";

    /// <summary>The form callers write: the app-setting (environment variable) name.</summary>
    public const string Prefix = Section + "__";

    /// <summary>What a 400 says about a reference that breaks the rule.</summary>
    public const string Rule =
        "A secret reference names an app setting BackupSecrets__NAME (NAME: 1-100 letters, digits, _ . -, without __ or :); "
        + "in Azure make that app setting a Key Vault reference. No other app setting can be referenced.";

    private readonly IConfiguration _section;

    /// <param name="configuration">The app's configuration; only its <see cref="Section"/> section is ever read.</param>
    public SecretReferences(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _section = configuration.GetSection(Section);
    }

    /// <summary>Null when <paramref name="reference"/> may be stored; else why not (for a 400 naming the field).</summary>
    public static string? Problem(string? reference) => TryGetName(reference, out _) ? null : Rule;

    /// <summary>
    /// The form a row keeps: <c>BackupSecrets__NAME</c>, whichever accepted spelling was posted
    /// (<c>BackupSecrets__NAME</c> or <c>BackupSecrets:NAME</c>, the prefix in any case).
    /// </summary>
    /// <exception cref="ArgumentException">The reference breaks the rule.</exception>
    public static string Canonical(string reference) =>
        TryGetName(reference, out var name) ? Prefix + name : throw new ArgumentException(Rule, nameof(reference));

    /// <summary>
    /// The secret <paramref name="reference"/> names, read from the <see cref="Section"/> section only.
    /// </summary>
    /// <param name="what">What the secret is, for messages: <c>secret 'password' of storage location stg-…</c>.</param>
    /// <param name="repost">What the operator posts again once the setting is moved: <c>the storage location</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// The reference names a setting outside <c>BackupSecrets</c> (a row written before the rule), or the setting is not set.
    /// </exception>
    public string Resolve(string reference, string what, string repost)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!TryGetName(reference, out var name))
        {
            throw new InvalidOperationException(
                $"The {what} refers to the app setting '{Printable(reference)}', which a secret reference may not read: only app settings "
                + $"{Prefix}NAME can be referenced. Put the secret in an app setting {Prefix}NAME (in Azure a Key Vault reference) "
                + $"and post {repost} again with {{\"setting\": \"{Prefix}NAME\"}}.");
        }
        return _section[name] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The app setting '{Prefix}{name}' that holds the {what} is not set.");
    }

    private static bool TryGetName(string? reference, out string name)
    {
        name = "";
        if (reference is null)
            return false;
        string rest;
        if (reference.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            rest = reference[Prefix.Length..];
        else if (reference.StartsWith(Section + ":", StringComparison.OrdinalIgnoreCase))
            rest = reference[(Section.Length + 1)..];
        else
            return false;
        // "__" would nest a section in the environment-variable form, ":" in the configuration form.
        if (!NameShape().IsMatch(rest) || rest.Contains("__", StringComparison.Ordinal))
            return false;
        name = rest;
        return true;
    }

    // Stored names end up in messages and logs: control characters would garble (or forge) log lines.
    private static string Printable(string value) =>
        new([.. value.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex NameShape();
}
