using System.Globalization;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host beside a CMS of its own: the default CMS settings (Cms:Database:*, Cms:Files:*) name a sample
/// database and site, a fake clock starts on Monday 2026-06-01 00:00 UTC, and every file volume waits a moment before it
/// is written, so a backup runs long enough to be seen running.
/// </summary>
public sealed class ConfigsHostFixture : LocalHostFixture
{
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public PostgresConnectionInfo CmsDatabase { get; private set; } = null!;

    public string CmsSite { get; private set; } = "";

    protected override FakeTimeProvider CreateClock() => new(Start);

    protected override async Task BeforeStartAsync()
    {
        CmsDatabase = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cfgapi"));
        CmsSite = SampleCms.CreateSite(Scratch("cms"));
    }

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Cms:Database:Host"] = CmsDatabase.Host;
        settings["Cms:Database:Port"] = CmsDatabase.Port.ToString(CultureInfo.InvariantCulture);
        settings["Cms:Database:Name"] = CmsDatabase.Database;
        settings["Cms:Database:Username"] = CmsDatabase.Username;
        settings["Cms:Files:Root"] = CmsSite;
        settings["LocalHost:TestOnlyVolumeDelayMilliseconds"] = "2500";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await SampleCms.DropDatabaseAsync(CmsDatabase.Database);
    }
}
