namespace BackupFunctions.Core.Catalog;

/// <summary>The life of a <see cref="BackupAlert"/>: open → acknowledged (optional) → resolved.</summary>
public static class AlertStatuses
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";

    public static readonly IReadOnlyList<string> All = [Open, Acknowledged, Resolved];

    /// <summary>Open or acknowledged: its cause is still there.</summary>
    public static bool IsUnresolved(string status) => status is Open or Acknowledged;
}
