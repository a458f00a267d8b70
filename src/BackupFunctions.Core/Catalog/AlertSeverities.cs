namespace BackupFunctions.Core.Catalog;

/// <summary>How urgent a <see cref="BackupAlert"/> is, from least to most.</summary>
public static class AlertSeverities
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    /// <summary>Least to most urgent.</summary>
    public static readonly IReadOnlyList<string> All = [Low, Medium, High, Critical];

    /// <summary>0 (low) to 3 (critical); -1 for a word that is not a severity.</summary>
    public static int Rank(string severity) => severity switch
    {
        Low => 0,
        Medium => 1,
        High => 2,
        Critical => 3,
        _ => -1,
    };
}
