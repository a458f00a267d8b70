using System.Text.RegularExpressions;

namespace BackupFunctions.Http;

/// <summary>Ids in routes: anything that could not be an id we issued is simply "not found".</summary>
public static partial class Ids
{
    public static bool IsWellFormed(string? id) => id is not null && Shape().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9-]{1,200}$")]
    private static partial Regex Shape();
}
