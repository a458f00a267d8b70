namespace BackupFunctions.Tests.Support;

/// <summary>The local host with a short <c>Restore:LockTimeoutSeconds</c>, so a lock another session holds fails a restore in seconds.</summary>
public sealed class ShortLockTimeoutHostFixture : LocalHostFixture
{
    public const double LockTimeoutSeconds = 3;

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
        => settings["Restore:LockTimeoutSeconds"] = LockTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
