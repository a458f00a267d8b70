namespace BackupFunctions.Core.Configs;

/// <summary>
/// The role an in-place restore connects as (config <c>database.restore</c>), when the backup role may only read: it
/// must own the dumped objects (e.g. the CMS's owner role); it need not be a superuser.
/// </summary>
public sealed record DatabaseRestoreRole
{
    public required string Username { get; init; }

    /// <summary>Name of the app setting with its password, <c>BackupSecrets__NAME</c> (as <see cref="DatabaseSource.PasswordSetting"/>); null for trust/peer auth.</summary>
    public string? PasswordSetting { get; init; }
}
