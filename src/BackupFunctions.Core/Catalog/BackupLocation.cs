namespace BackupFunctions.Core.Catalog;

/// <summary>One destination that holds a copy of a backup.</summary>
/// <param name="Location">The store's location string (no secrets).</param>
/// <param name="ManifestName">The manifest's object name in that store.</param>
public sealed record BackupLocation(string Type, string Location, string ManifestName, bool Primary);
