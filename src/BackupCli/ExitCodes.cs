namespace BackupCli;

/// <summary>backupctl's exit codes; scripts rely on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>Done, and every check passed.</summary>
    public const int Ok = 0;

    /// <summary>Something failed that is neither the user's input nor the stored data's integrity (server down, disk full, missing backup).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: unknown option, missing or invalid value; nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>Stored data failed an integrity check: tampered, truncated, swapped, missing, or the wrong key.</summary>
    public const int Integrity = 3;

    /// <summary>The table printed by <c>--help</c> and in docs/backupctl.md.</summary>
    public const string Help = """
        Exit codes:
          0  ok
          1  failure (destination or database unreachable, backup not found or incomplete, ...)
          2  bad usage (unknown option, missing or invalid value, restore target not empty); one line on stderr says what and why
          3  integrity failure (tampered, truncated, swapped or missing data, bad manifest, wrong key); the line names the object
        """;
}
