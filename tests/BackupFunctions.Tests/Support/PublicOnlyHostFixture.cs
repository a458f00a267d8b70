namespace BackupFunctions.Tests.Support;

/// <summary>The app with <c>Network__AllowedRanges</c> empty, as deployed by default: only public addresses.</summary>
public sealed class PublicOnlyHostFixture : LocalHostFixture
{
    protected override void ConfigureSettings(IDictionary<string, string?> settings) => settings["Network:AllowedRanges"] = "";
}
