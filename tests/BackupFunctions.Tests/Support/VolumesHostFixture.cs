namespace BackupFunctions.Tests.Support;

/// <summary>The local host with small file volumes (130 entries), so a 1,000-file site backs up in 8 volumes.</summary>
public sealed class VolumesHostFixture : LocalHostFixture
{
    public const int EntriesPerVolume = 130;

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Backups:VolumeMaxFiles"] = EntriesPerVolume.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Backups:MaxParallelVolumes"] = "2";
    }
}
