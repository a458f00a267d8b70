namespace BackupFunctions.Tests.Support;

/// <summary>The app as deployed without Network__AllowedRanges: only public addresses may be named.</summary>
public sealed class NoInternalRangesHostFixture : LocalHostFixture
{
    protected override void ConfigureSettings(IDictionary<string, string?> settings) => settings["Network:AllowedRanges"] = "";
}
