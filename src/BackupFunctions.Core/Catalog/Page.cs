namespace BackupFunctions.Core.Catalog;

/// <summary>One page of a newest-first listing; pass <see cref="ContinuationToken"/> back to get the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
