using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// The names of the temporary objects of the stores that write a put under another name and rename it at the end
/// (local folder, SFTP, FTP): <c>folder/.file.tmp-&lt;12 hex digits&gt;</c> for the object <c>folder/file</c>. The
/// leading dot hides it from people listing the folder; the random part lets puts of one name run side by side.
/// </summary>
internal static partial class TemporaryNames
{
    private const string Marker = ".tmp-";

    /// <summary>A fresh temporary name for the file name (last segment) <paramref name="fileName"/>.</summary>
    public static string ForFile(string fileName) => $".{fileName}{Marker}{RandomNumberGenerator.GetHexString(12, lowercase: true)}";

    /// <summary>Whether the last segment of a name (a file name) is a temporary one.</summary>
    public static bool IsTemporary(ReadOnlySpan<char> fileName) => Pattern().IsMatch(fileName);

    /// <summary>Whether the last segment of the '/'-separated <paramref name="name"/> is a temporary one.</summary>
    public static bool IsTemporaryName(string name) => IsTemporary(name.AsSpan(name.LastIndexOf('/') + 1));

    /// <summary>
    /// Checks that <paramref name="name"/> is a valid name (<see cref="ObjectNameRules.Validate"/>) whose last segment
    /// is a temporary one: what <see cref="IBackupStore.DeleteTemporaryAsync"/> accepts.
    /// </summary>
    public static void ValidateTemporary(string name, string location)
    {
        ObjectNameRules.Validate(name);
        if (!IsTemporaryName(name))
            throw new ArgumentException($"'{name}' is not the name of a temporary object of {location}.", nameof(name));
    }

    [GeneratedRegex(@"^\..*\.tmp-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
