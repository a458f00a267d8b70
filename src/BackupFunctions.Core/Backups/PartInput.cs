namespace BackupFunctions.Core.Backups;

/// <summary>
/// What a part-writing step needs: the plan and the prepared data key (never plain; null for encryption none); the key is
/// null when the config's encryption is <c>none</c>.
/// </summary>
public sealed record PartInput(BackupPlan Plan, PreparedKey? Key);
