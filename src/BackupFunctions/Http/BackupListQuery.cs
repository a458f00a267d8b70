using System.Globalization;
using System.Text.RegularExpressions;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using Microsoft.AspNetCore.Http;

namespace BackupFunctions.Http;

/// <summary>
/// The filters of <c>GET /api/backups</c>: <c>configId</c>, <c>type</c>, <c>status</c> (one or several, comma
/// separated, or <c>any</c>), <c>from</c> (inclusive) and <c>to</c> (exclusive) on <c>createdAt</c> as ISO 8601 with an
/// offset. With a config and no status only its restore points are listed (completed, with or without warnings), as
/// the listing by config always did.
/// </summary>
public static partial class BackupListQuery
{
    public const string AnyStatus = "any";

    public static readonly IReadOnlyList<string> Statuses =
        [BackupStatuses.Completed, BackupStatuses.CompletedWithWarnings, BackupStatuses.VerificationFailed, BackupStatuses.Deleting];

    private static readonly IReadOnlyList<string> RestorePoints = [BackupStatuses.Completed, BackupStatuses.CompletedWithWarnings];

    public static (BackupListFilter? Filter, IReadOnlyDictionary<string, string[]>? Errors) Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var configId = Value(request, "configId");
        if (configId is not null && !Ids.IsWellFormed(configId))
            errors["configId"] = ["configId is not a config id (cfg-…)."];

        var type = Value(request, "type");
        if (type is not null && !BackupTypes.IsKnown(type))
            errors["type"] = [$"type is one of {string.Join(", ", BackupTypes.All)}."];

        IReadOnlyList<string>? statuses = null;
        if (Value(request, "status") is { } status)
        {
            var words = status.Split(',', StringSplitOptions.TrimEntries);
            if (words is [AnyStatus])
                statuses = null;
            else if (words.All(Statuses.Contains))
                statuses = [.. words.Distinct(StringComparer.Ordinal)];
            else
                errors["status"] = [$"status is {AnyStatus} or one or more of {string.Join(", ", Statuses)}, separated by commas."];
        }
        else if (configId is not null)
        {
            statuses = RestorePoints;
        }

        var from = Time(request, "from", errors);
        var to = Time(request, "to", errors);
        if (from is not null && to is not null && from >= to && !errors.ContainsKey("to"))
            errors["to"] = ["to must be later than from."];

        return errors.Count > 0 ? (null, errors) : (new BackupListFilter(configId, type, statuses, from, to), null);
    }

    private static string? Value(HttpRequest request, string name)
        => request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    private static DateTimeOffset? Time(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (Value(request, name) is not { } text)
            return null;
        // An offset is required: a time without one would mean whatever zone the server runs in.
        if (IsoTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return at.ToUniversalTime();
        errors[name] = [$"{name} is a date and time in ISO 8601 with an offset, e.g. 2026-01-31T00:00:00Z."];
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTime();
}
