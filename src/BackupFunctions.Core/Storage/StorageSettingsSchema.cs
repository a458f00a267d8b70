using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// The settings and secrets each destination type takes, and the check of a posted storage location against them.
/// One table, so the API, the docs and the store factory agree on the names.
/// </summary>
public static partial class StorageSettingsSchema
{
    private static readonly string[] AccessTiers = ["Hot", "Cool", "Cold", "Archive"];
    private static readonly string[] S3StorageClasses = ["STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"];
    private static readonly string[] GcsStorageClasses = ["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"];
    private static readonly string[] FtpTlsModes = ["none", "explicit"];
    private static readonly string[] LockModes = ["governance", "compliance"];

    /// <summary>Settings per type.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<StorageField>> Settings { get; } = new Dictionary<string, IReadOnlyList<StorageField>>
    {
        [StorageTypes.Local] =
        [
            new("path", StorageFieldKind.Text, Required: true),
            new("fileMode", StorageFieldKind.OctalMode),
            new("folderMode", StorageFieldKind.OctalMode),
        ],
        [StorageTypes.AzureBlob] =
        [
            new("container", StorageFieldKind.Text, Required: true),
            new("accessTier", StorageFieldKind.Choice, Choices: AccessTiers),
        ],
        [StorageTypes.S3] =
        [
            new("bucket", StorageFieldKind.Text, Required: true),
            new("region", StorageFieldKind.Text),
            new("endpoint", StorageFieldKind.HttpUrl),
            new("pathStyle", StorageFieldKind.Boolean),
            new("storageClass", StorageFieldKind.Choice, Choices: S3StorageClasses),
            new("accessKeyId", StorageFieldKind.Text, Required: true),
        ],
        [StorageTypes.Gcs] =
        [
            new("bucket", StorageFieldKind.Text, Required: true),
            new("accessId", StorageFieldKind.Text, Required: true),
            new("storageClass", StorageFieldKind.Choice, Choices: GcsStorageClasses),
            new("endpoint", StorageFieldKind.HttpUrl),
        ],
        [StorageTypes.Sftp] =
        [
            new("host", StorageFieldKind.Text, Required: true),
            new("port", StorageFieldKind.Port),
            new("user", StorageFieldKind.Text, Required: true),
            new("path", StorageFieldKind.Text),
            new("hostKeyFingerprint", StorageFieldKind.Sha256Fingerprint, Required: true),
        ],
        [StorageTypes.Ftp] =
        [
            new("host", StorageFieldKind.Text, Required: true),
            new("port", StorageFieldKind.Port),
            new("user", StorageFieldKind.Text, Required: true),
            new("path", StorageFieldKind.Text),
            new("tls", StorageFieldKind.Choice, Choices: FtpTlsModes),
            new("certificateFingerprint", StorageFieldKind.Sha256Fingerprint),
        ],
    };

    /// <summary>Secrets per type; for SFTP one of password and privateKey is required.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<StorageField>> Secrets { get; } = new Dictionary<string, IReadOnlyList<StorageField>>
    {
        [StorageTypes.Local] = [],
        [StorageTypes.AzureBlob] = [],
        [StorageTypes.S3] = [new("secretAccessKey", StorageFieldKind.Text, Required: true)],
        [StorageTypes.Gcs] = [new("hmacSecret", StorageFieldKind.Text, Required: true)],
        [StorageTypes.Sftp] =
        [
            new("password", StorageFieldKind.Text),
            new("privateKey", StorageFieldKind.Text),
            new("privateKeyPassphrase", StorageFieldKind.Text),
        ],
        [StorageTypes.Ftp] = [new("password", StorageFieldKind.Text, Required: true)],
    };

    /// <summary>Types whose objects can be locked against deletion.</summary>
    public static IReadOnlySet<string> LockableTypes { get; } = new HashSet<string> { StorageTypes.AzureBlob, StorageTypes.S3 };

    /// <summary>
    /// Checks <paramref name="input"/>; on success gives the normalised settings (invariant strings, choices spelled
    /// as listed). Errors map JSON paths (<c>settings.bucket</c>) to messages.
    /// </summary>
    public static (Dictionary<string, string> Settings, Dictionary<string, string[]> Errors) Validate(StorageLocationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>();
        var normalised = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 100 || input.Name.Any(char.IsControl))
            errors["name"] = ["name is required (1-100 characters, no control characters: it is shown in logs and messages)."];
        if (input.Type is null || !Settings.TryGetValue(input.Type, out var fields))
        {
            errors["type"] = [$"type must be one of {string.Join(", ", StorageTypes.All)}."];
            return (normalised, errors);
        }

        var given = input.Settings ?? [];
        foreach (var unknown in given.Keys.Where(k => fields.All(f => f.Name != k)))
            errors[$"settings.{unknown}"] = [$"'{unknown}' is not a setting of a {input.Type} destination; it takes {string.Join(", ", fields.Select(f => f.Name))}."];
        foreach (var field in fields)
        {
            if (!given.TryGetValue(field.Name, out var element) || element.ValueKind is JsonValueKind.Null)
            {
                if (field.Required)
                    errors[$"settings.{field.Name}"] = [$"settings.{field.Name} is required for a {input.Type} destination."];
                continue;
            }
            if (Normalise(field, element) is { } value)
                normalised[field.Name] = value;
            else
                errors[$"settings.{field.Name}"] = [Describe(field)];
        }
        if (input.Type == StorageTypes.AzureBlob && normalised.TryGetValue("container", out var container)
            && !AzureContainerNames.IsValid(container))
        {
            errors["settings.container"] = [$"'{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)."];
        }
        foreach (var (name, folder) in new[] { ("fileMode", false), ("folderMode", true) })
        {
            if (input.Type == StorageTypes.Local && normalised.TryGetValue(name, out var mode)
                && LocalFileModes.Problem((UnixFileMode)Convert.ToInt32(mode, 8), folder) is { } modeProblem)
            {
                errors[$"settings.{name}"] = [$"settings.{name} {modeProblem}."];
            }
        }
        // The rules the factory and the stores apply when they open the folder: what passes here can be written.
        if (normalised.TryGetValue("path", out var path))
        {
            var pathProblem = input.Type == StorageTypes.Local ? ObjectNameRules.LocalPathProblem(path)
                : input.Type is StorageTypes.Sftp or StorageTypes.Ftp ? ObjectNameRules.BasePathProblem(path)
                : null;
            if (pathProblem is not null)
            {
                errors["settings.path"] = [input.Type == StorageTypes.Local
                    ? $"settings.path is a folder relative to the Storage:LocalRoot setting: it {pathProblem}."
                    : $"settings.path is the base folder on the server ('/'-separated folder names): it {pathProblem}."];
            }
        }

        var secretFields = Secrets[input.Type];
        var secrets = input.Secrets ?? [];
        foreach (var unknown in secrets.Keys.Where(k => secretFields.All(f => f.Name != k)))
        {
            errors[$"secrets.{unknown}"] = [secretFields.Count == 0
                ? $"a {input.Type} destination takes no secrets."
                : $"'{unknown}' is not a secret of a {input.Type} destination; it takes {string.Join(", ", secretFields.Select(f => f.Name))}."];
        }
        foreach (var field in secretFields)
        {
            var present = secrets.TryGetValue(field.Name, out var secret) && (secret.Setting is not null || !string.IsNullOrEmpty(secret.Value));
            if (field.Required && !present)
                errors[$"secrets.{field.Name}"] = [$"secrets.{field.Name} is required for a {input.Type} destination (a string, or {{\"setting\": \"NAME\"}})."];
        }
        if (input.Type == StorageTypes.Sftp && !secrets.ContainsKey("password") && !secrets.ContainsKey("privateKey"))
            errors["secrets.password"] = ["an sftp destination needs secrets.password or secrets.privateKey."];

        if (input.MaxSizeBytes is <= 0)
            errors["maxSizeBytes"] = ["maxSizeBytes must be positive when given."];
        if (input.Immutability is { Enabled: true } lockOptions)
        {
            if (!LockableTypes.Contains(input.Type))
                errors["immutability.enabled"] = [$"a {input.Type} destination cannot lock objects; immutability works on {string.Join(" and ", LockableTypes)}."];
            if (!LockModes.Contains(lockOptions.Mode))
                errors["immutability.mode"] = ["immutability.mode is governance or compliance."];
            if (lockOptions.Days is < 1 or > 36500)
                errors["immutability.days"] = ["immutability.days must be 1-36500 when immutability is enabled."];
        }
        return (normalised, errors);
    }

    private static string? Normalise(StorageField field, JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.Trim(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            _ => null,
        };
        if (text is null || text.Length == 0 || text.Length > 1000 || text.Any(char.IsControl))
            return null;
        return field.Kind switch
        {
            StorageFieldKind.Text => text,
            StorageFieldKind.Port => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                ? port.ToString(CultureInfo.InvariantCulture) : null,
            StorageFieldKind.Boolean => bool.TryParse(text, out var flag) ? (flag ? "true" : "false") : null,
            StorageFieldKind.Choice => field.Choices!.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase)),
            StorageFieldKind.HttpUrl => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0
                ? text : null,
            StorageFieldKind.OctalMode => OctalMode().IsMatch(text) ? text.PadLeft(4, '0') : null,
            StorageFieldKind.Sha256Fingerprint => Fingerprint().IsMatch(text) ? text : null,
            _ => null,
        };
    }

    private static string Describe(StorageField field) => field.Kind switch
    {
        StorageFieldKind.Port => $"settings.{field.Name} must be a port number (1-65535).",
        StorageFieldKind.Boolean => $"settings.{field.Name} must be true or false.",
        StorageFieldKind.Choice => $"settings.{field.Name} must be one of {string.Join(", ", field.Choices!)}.",
        StorageFieldKind.HttpUrl => $"settings.{field.Name} must be an http(s) URL without credentials.",
        StorageFieldKind.OctalMode => $"settings.{field.Name} must be an octal file mode such as 0600.",
        StorageFieldKind.Sha256Fingerprint => $"settings.{field.Name} must be a SHA-256 fingerprint: SHA256:<base64> as ssh-keygen -l prints, or 64 hex digits.",
        _ => $"settings.{field.Name} must be a non-empty string of at most 1000 characters.",
    };


    [GeneratedRegex("^0?[0-7]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex OctalMode();

    [GeneratedRegex("^(SHA256:[A-Za-z0-9+/]{43}=?|([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Fingerprint();
}
