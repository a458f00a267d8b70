namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host for restore jobs: a short database lock timeout (a restore blocked by another session's lock fails
/// within seconds, not the production 30 s) and a fast progress interval (a step sees a cancel within half a second).
/// </summary>
public sealed class RestoreHostFixture : LocalHostFixture
{
    public const double LockTimeoutSeconds = 3;

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Restore:LockTimeoutSeconds"] = LockTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Jobs:ProgressIntervalSeconds"] = "0.5";
    }
}
