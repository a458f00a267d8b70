using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Storage;

/// <summary>Azure's rule for blob container names, in one place for the API, the factory and backupctl.</summary>
public static partial class AzureContainerNames
{
    /// <summary>3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsValid(string? name) =>
        name is not null && Shape().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
