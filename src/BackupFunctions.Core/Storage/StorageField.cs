namespace BackupFunctions.Core.Storage;

/// <summary>One setting of a destination type: its name, whether it is required, and what values it takes.</summary>
/// <param name="Choices">For <see cref="StorageFieldKind.Choice"/>: the allowed values (compared ignoring case, stored as listed).</param>
public sealed record StorageField(string Name, StorageFieldKind Kind, bool Required = false, IReadOnlyList<string>? Choices = null);
