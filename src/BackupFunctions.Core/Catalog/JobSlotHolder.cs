namespace BackupFunctions.Core.Catalog;

/// <summary>A job holding one of its config's <c>maxConcurrent</c> places, and when it claimed the place.</summary>
public sealed record JobSlotHolder(string JobId, DateTimeOffset ClaimedAt);
