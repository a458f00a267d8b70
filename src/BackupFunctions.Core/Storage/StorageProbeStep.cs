namespace BackupFunctions.Core.Storage;

/// <summary>One step of a connection test: write, read back, list, delete.</summary>
/// <param name="Kind">Why it failed (null when it passed).</param>
/// <param name="Error">What the destination said (null when it passed); never holds secrets.</param>
public sealed record StorageProbeStep(string Step, bool Ok, double ElapsedMs, StoreFailureKind? Kind = null, string? Error = null);
