namespace BackupFunctions.Tests.Support;

/// <summary>The app with <c>Network__AllowedRanges</c> listing every address: metadata addresses must stay refused.</summary>
public sealed class EverythingAllowedHostFixture : LocalHostFixture
{
    protected override void ConfigureSettings(IDictionary<string, string?> settings) => settings["Network:AllowedRanges"] = "0.0.0.0/0, ::/0";
}
