using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// What an app setting's name may look like where the operator's own settings refer to one
/// (<c>Notifications:Smtp:PasswordSetting</c>). Names an API caller chooses follow the stricter
/// <see cref="Secrets.SecretReferences"/> rule instead (only <c>BackupSecrets__NAME</c>).
/// </summary>
public static partial class SettingNames
{
    /// <summary>Letters, digits and <c>_ : . -</c>, at most 128.</summary>
    public static bool IsValid(string? name) => name is not null && Shape().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_:.-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
