namespace BackupFunctions.Http;

/// <summary>A config's compression as the API shows it: <c>enabled</c> is false exactly when the algorithm is <c>none</c>.</summary>
public sealed record CompressionView(bool Enabled, string Algorithm, int Level);
