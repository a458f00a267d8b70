using System.Text.RegularExpressions;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Core.Configs;

/// <summary>The rules of <see cref="BackupConfig.RestoreDrill"/>, applied when a config is posted. Errors are keyed by JSON path.</summary>
public static partial class RestoreDrillRules
{
    /// <summary>Each check runs on the live database at every backup: a handful, not a test suite.</summary>
    public const int MaxChecks = 20;

    public const int MaxNameLength = 64;

    /// <summary>A query, not a program; the manifest and the catalog hold only its digest, but the config holds it whole.</summary>
    public const int MaxSqlLength = 4000;

    public static void Validate(RestoreDrillConfig? drill, bool hasDatabase, Action<string, string> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        if (drill is null)
            return;
        if (drill.Schedule is null)
            add("restoreDrill.schedule", "A restore drill needs a schedule (same form as the backup schedule; frequency 'manual' runs it only on request).");
        else
        {
            foreach (var (field, message) in ScheduleCalculator.Validate(drill.Schedule))
                add("restoreDrill." + field, message);
        }

        var checks = drill.Checks ?? [];
        if (checks.Count > MaxChecks)
        {
            add("restoreDrill.checks", $"At most {MaxChecks} checks (each one runs on the live database at every backup).");
            return;
        }
        if (checks.Count > 0 && !hasDatabase)
            add("restoreDrill.checks", "Checks are queries on the database, and this config backs up no database.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            if (check is null)
            {
                add($"restoreDrill.checks[{i}]", "A check is an object with name and sql.");
                continue;
            }
            if (NameProblem(check.Name) is { } problem)
                add($"restoreDrill.checks[{i}].name", problem);
            else if (!names.Add(check.Name))
                add($"restoreDrill.checks[{i}].name", $"The name '{check.Name}' is used by another check; each check needs its own.");
            if (SqlProblem(check.Sql) is { } sqlProblem)
                add($"restoreDrill.checks[{i}].sql", sqlProblem);
        }
    }

    /// <summary>
    /// Names go into the manifest, logs, alerts and notifications: 1–64 of <c>a-z A-Z 0-9 _ - .</c>, starting with a
    /// letter or digit. Null when <paramref name="name"/> is fine.
    /// </summary>
    public static string? NameProblem(string? name)
        => name is not null && NameShape().IsMatch(name)
            ? null
            : $"A check name is 1 to {MaxNameLength} letters, digits, '_', '-' or '.', starting with a letter or digit.";

    /// <summary>
    /// The shape a query must have before it is stored. Whether it only reads is decided by the server, every time it
    /// runs (a READ ONLY transaction, one statement): no text rule can tell that.
    /// </summary>
    public static string? SqlProblem(string? sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
            return "The query must not be empty.";
        if (sql.Length > MaxSqlLength)
            return $"The query must be at most {MaxSqlLength} characters.";
        if (sql.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return "The query must not contain control characters other than line breaks and tabs.";
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NameShape();
}
